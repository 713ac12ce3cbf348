/**
 * The tools under test, each able to build a case cold (nothing cached,
 * base not local) and warm (its cache filled by an earlier build of the same
 * case), build + push to the local registry, measured.
 *
 * - kiln: the committed CLI bundle (bin/kiln.js), workspace in the bench fs;
 *   cold without --cache and with an empty snapshot store (--store, emptied
 *   before each cold build), warm with --cache --cache-dir (one dir per
 *   case; its snapshot store below it, as the CLI places it). The store's
 *   disk use is measured after each build.
 * - buildah: `bud --isolation chroot` + `push`, its own --root/--runroot;
 *   cold: --layers=false in a store emptied first (base not present); warm:
 *   --layers in a second store that a first build filled.
 * - buildkit: Docker 20.10's BuildKit in a dockerd the harness starts on its
 *   own socket; cold after `docker system prune -af`, warm right after cold.
 * - kiln-in-place: the Kiln image in a container of that dockerd (below).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildArgFlags } from './cases.mjs';
import { CpuGroup, timed } from './measure.mjs';
import { capture, run } from './sh.mjs';

const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

export class Kiln {
  name = 'kiln';

  constructor({ repo, node, registry, dir, tmp, cacheArgs }) {
    Object.assign(this, { repo, node, registry, dir, tmp, cacheArgs });
    this.filled = new Set();
    this.fills = 0;
  }

  async version() {
    const sha = await capture(['git', '-C', this.repo, 'rev-parse', '--short', 'HEAD']);
    const node = await capture([this.node, '--version']);
    return `Kiln ${sha} (dist/cli bundle, Node ${node})`;
  }

  argv(c, tag, extra, contextDir = c.contextDir) {
    return [
      this.node,
      join(this.repo, 'bin/kiln.js'),
      'build',
      '--context',
      contextDir,
      '--dockerfile',
      c.dockerfilePath,
      '--destination',
      `${this.registry}/bench/${c.name}:${tag}`,
      '--insecure-registry',
      this.registry,
      '--workspace',
      join(this.dir, 'kiln-ws'),
      '--verbosity',
      'debug',
      ...(c.platforms ? ['--platform', c.platforms.join(',')] : []),
      ...buildArgFlags(c),
      ...extra,
    ];
  }

  cacheFlags(c) {
    return ['--cache', '--cache-dir', join(this.dir, 'kiln-cache', c.name), ...this.cacheArgs];
  }

  async cold(c, log) {
    const store = join(this.dir, 'kiln-store-cold');
    rmSync(store, { recursive: true, force: true });
    const m = await timed(this.argv(c, 'kiln-cold', ['--store', store]), { log, tmp: this.tmp });
    return { ...m, storeMiB: await diskMiB(store) };
  }

  async warm(c, log) {
    if (c.fillContextDir) {
      // Every time: a cache (layers and cache mounts) from the build before the change only; a registry
      // cache repository of its own, so no earlier round's layers are found there.
      rmSync(join(this.dir, 'kiln-cache', c.name), { recursive: true, force: true });
      const flags = [
        ...this.cacheFlags(c),
        '--cache-repo',
        `${this.registry}/bench/${c.name}-cache-${++this.fills}`,
      ];
      await run(this.argv(c, 'kiln-warm', flags, c.fillContextDir), { log: `${log}.fill` });
      return timed(this.argv(c, 'kiln-warm', flags), { log, tmp: this.tmp });
    }
    if (!this.filled.has(c.name)) {
      rmSync(join(this.dir, 'kiln-cache', c.name), { recursive: true, force: true });
      await run(this.argv(c, 'kiln-warm', this.cacheFlags(c)), { log: `${log}.fill` });
      this.filled.add(c.name);
    }
    c.edit?.(c.contextDir);
    const m = await timed(this.argv(c, 'kiln-warm', this.cacheFlags(c)), { log, tmp: this.tmp });
    return { ...m, storeMiB: await diskMiB(join(this.dir, 'kiln-cache', c.name, 'store')) };
  }
}

/** Disk use of a directory in MiB (du; hardlinks once). */
async function diskMiB(dir) {
  const r = await run(['du', '-s', '-x', '-B1', dir], { allowFail: true });
  return r.code === 0 ? Number(r.stdout.split(/\s/)[0]) / 1048576 : Number.NaN;
}

export class Buildah {
  name = 'buildah';

  constructor({ registry, dir, tmp }) {
    Object.assign(this, { registry, dir, tmp });
    this.filled = new Set();
    this.env = { ...process.env, TMPDIR: tmp };
  }

  base(store) {
    const root = join(this.dir, store);
    return [
      'buildah',
      '--root',
      join(root, 'root'),
      '--runroot',
      join(root, 'run'),
      '--storage-driver',
      'overlay',
    ];
  }

  async version() {
    return capture(['buildah', '--version']);
  }

  script(store, c, tag, layers) {
    const b = this.base(store).map(q).join(' ');
    const image = `${this.registry}/bench/${c.name}:${tag}`;
    const bud = `${b} bud --isolation chroot --layers=${layers} --tls-verify=false ${buildArgFlags(c).map(q).join(' ')} -f ${q(c.dockerfilePath)}`;
    if (c.platforms) {
      // One image per platform into a manifest list, pushed with every image.
      const list = `localhost/bench-${c.name}-${tag}`;
      return [
        'sh',
        '-c',
        `set -e; ${b} manifest rm ${q(list)} >/dev/null 2>&1 || true; ${bud} --platform ${q(c.platforms.join(','))} --manifest ${q(list)} ${q(c.contextDir)}; ${b} manifest push --all --tls-verify=false ${q(list)} ${q(`docker://${image}`)}`,
      ];
    }
    return [
      'sh',
      '-c',
      `set -e; ${bud} -t ${q(image)} ${q(c.contextDir)}; ${b} push --tls-verify=false ${q(image)}`,
    ];
  }

  async empty(store, log) {
    await run([...this.base(store), 'rm', '--all'], { allowFail: true, log, env: this.env });
    await run([...this.base(store), 'rmi', '--all', '--force'], { allowFail: true, log, env: this.env });
  }

  async cold(c, log) {
    await this.empty('buildah-cold', log);
    return timed(this.script('buildah-cold', c, 'buildah-cold', false), {
      log,
      tmp: this.tmp,
      env: this.env,
    });
  }

  async warm(c, log) {
    if (!this.filled.has(c.name)) {
      await run(this.script('buildah-warm', c, 'buildah-warm', true), { log: `${log}.fill`, env: this.env });
      this.filled.add(c.name);
    }
    c.edit?.(c.contextDir);
    return timed(this.script('buildah-warm', c, 'buildah-warm', true), { log, tmp: this.tmp, env: this.env });
  }

  async cleanup(log) {
    await this.empty('buildah-cold', log);
    await this.empty('buildah-warm', log);
  }
}

export class BuildKit {
  name = 'buildkit';

  constructor({ registry, dir, tmp, logDir }) {
    Object.assign(this, { registry, dir, tmp, logDir });
    this.root = join(dir, 'docker');
    this.sock = join(this.root, 'docker.sock');
    this.env = { ...process.env, DOCKER_HOST: `unix://${this.sock}`, DOCKER_BUILDKIT: '1', TMPDIR: tmp };
    this.group = new CpuGroup(`kiln-bench-dockerd-${process.pid}`);
  }

  static feasible() {
    return existsSync('/usr/sbin/dockerd') && existsSync('/usr/bin/docker') && CpuGroup.available();
  }

  async start() {
    mkdirSync(this.root, { recursive: true });
    this.group.create();
    const args = [
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--data-root',
      join(this.root, 'data'),
      '--exec-root',
      join(this.root, 'exec'),
      '--pidfile',
      join(this.root, 'pid'),
      '-H',
      `unix://${this.sock}`,
      '--insecure-registry',
      this.registry,
    ];
    const script = `echo $$ > ${q(this.group.procsFile)} && exec /usr/sbin/dockerd ${args.map(q).join(' ')}`;
    const out = join(this.logDir, 'dockerd.log');
    const { openSync } = await import('node:fs');
    const fd = openSync(out, 'a');
    this.daemon = spawn('sh', ['-c', script], { stdio: ['ignore', fd, fd] });
    const kill = () => this.daemon.kill('SIGKILL');
    process.once('exit', kill);
    this.unhook = () => process.off('exit', kill);
    for (let i = 0; i < 150; i++) {
      if (this.daemon.exitCode !== null)
        throw new Error(`dockerd exited (${this.daemon.exitCode}); see ${out}`);
      const r = await run(['/usr/bin/docker', 'version', '--format', '{{.Server.Version}}'], {
        env: this.env,
        allowFail: true,
      });
      if (r.code === 0) {
        this.serverVersion = r.stdout.trim();
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`dockerd did not answer on ${this.sock} in 30 s; see ${out}`);
  }

  async version() {
    return `Docker ${this.serverVersion} BuildKit (docker build, DOCKER_BUILDKIT=1)`;
  }

  async prune(log) {
    await run(['/usr/bin/docker', 'system', 'prune', '--all', '--force'], {
      env: this.env,
      log,
      allowFail: true,
    });
  }

  /** Build and push; several platforms: one build each (Docker 20.10 has no buildx), then a manifest list. */
  argv(c, tag, contextDir = c.contextDir) {
    const image = `${this.registry}/bench/${c.name}:${tag}`;
    const build = (platform, ref) =>
      `/usr/bin/docker build --progress plain --network host ${platform ? `--platform ${q(platform)} ` : ''}${buildArgFlags(c).map(q).join(' ')} -f ${q(c.dockerfilePath)} -t ${q(ref)} ${q(contextDir)}; /usr/bin/docker push ${q(ref)}`;
    if (!c.platforms) return ['sh', '-c', `set -e; ${build(undefined, image)}`];
    const refs = c.platforms.map((p) => `${image}-${p.split('/').slice(1).join('-')}`);
    const builds = c.platforms.map((p, i) => build(p, refs[i])).join('; ');
    return [
      'sh',
      '-c',
      `set -e; ${builds}; /usr/bin/docker manifest create --insecure ${q(image)} ${refs.map(q).join(' ')}; /usr/bin/docker manifest push --insecure --purge ${q(image)}`,
    ];
  }

  async measured(c, tag, log) {
    const argv = this.argv(c, tag);
    this.group.resetPeaks();
    const cpu0 = this.group.usageSeconds();
    const m = await timed(argv, { log, tmp: this.tmp, env: this.env });
    const daemonCpu = this.group.usageSeconds() - cpu0;
    return { wall: m.wall, cpu: m.cpu + daemonCpu, rssMiB: Math.max(m.rssMiB, this.group.peakMiB()) };
  }

  async cold(c, log) {
    await this.prune(log);
    return this.measured(c, 'buildkit-cold', log);
  }

  /** The build right after cold(): BuildKit keeps its cache unless pruned. With a fill context: after a build of it. */
  async warm(c, log) {
    if (c.fillContextDir) {
      await this.prune(log);
      await run(this.argv(c, 'buildkit-warm', c.fillContextDir), { log: `${log}.fill`, env: this.env });
    }
    c.edit?.(c.contextDir);
    return this.measured(c, 'buildkit-warm', log);
  }

  async stop(log) {
    if (!this.daemon) return;
    await this.prune(log).catch(() => undefined);
    this.unhook?.();
    if (this.daemon.exitCode === null) {
      const closed = new Promise((r) => this.daemon.once('close', r));
      this.daemon.kill('SIGTERM');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 20_000))]);
      if (this.daemon.exitCode === null) this.daemon.kill('SIGKILL');
    }
    // containerd (its child) leaves with it; wait for the group to empty before removing it.
    for (let i = 0; i < 50 && this.group.pids().length > 0; i++) await new Promise((r) => setTimeout(r, 200));
    this.group.remove();
  }
}

/**
 * kiln-in-place: the Kiln image (scripts/image.mjs, from the committed CLI
 * bundle) in an unprivileged container of the harness's dockerd (the one
 * BuildKit uses), `--network host`, the context and the Dockerfile as
 * read-only volumes: Kiln's in-place isolation, where kaniko runs. Wall
 * time is `docker run` (container start included) to Kiln's exit; removing
 * the container (and the files the build left in it) is not timed. The
 * containers go under dockerd's cpuacct group (--cgroup-parent), so CPU is
 * the container's plus the daemons'; peak RSS is not measured (the cgroup's
 * memory peak would count the page cache). Cold: no cache; warm: --cache
 * with --cache-dir on a volume. Only the cases it is compared on.
 */
export class KilnInPlace {
  name = 'kiln-in-place';
  cases = new Set(['debian-runs', 'many-files']);

  constructor({ repo, daemon, registry, dir, tmp, logDir }) {
    Object.assign(this, { repo, daemon, registry, dir, tmp, logDir });
    this.filled = new Set();
  }

  async start() {
    const out = join(this.dir, 'kiln-image');
    rmSync(out, { recursive: true, force: true });
    await run([process.execPath, join(this.repo, 'scripts/image.mjs'), '--out', out], {
      log: join(this.logDir, 'kiln-image.log'),
    });
    this.tar = join(out, 'kiln-image.tar');
  }

  /** Loads the image unless dockerd has it (BuildKit's cold runs prune every image). */
  async ensureImage(log) {
    const has = await run(['/usr/bin/docker', 'image', 'inspect', 'kiln:latest'], {
      env: this.daemon.env,
      allowFail: true,
    });
    if (has.code !== 0)
      await run(['/usr/bin/docker', 'load', '--input', this.tar], { env: this.daemon.env, log });
  }

  async version() {
    const sha = await capture(['git', '-C', this.repo, 'rev-parse', '--short', 'HEAD']);
    return `Kiln ${sha} in place: the Kiln image (Node 24) in an unprivileged container of that dockerd`;
  }

  argv(c, tag, cache) {
    const cacheDir = join(this.dir, 'kiln-in-place-cache', c.name);
    mkdirSync(cacheDir, { recursive: true });
    return [
      '/usr/bin/docker',
      'run',
      '--name',
      this.container,
      '--network',
      'host',
      '--cgroup-parent',
      `/${this.daemon.group.dir.split('/').pop()}`,
      '-v',
      `${c.contextDir}:/workspace:ro`,
      '-v',
      `${c.dockerfilePath}:/kiln/bench/Dockerfile:ro`,
      ...(cache ? ['-v', `${cacheDir}:/kiln/bench/cache`] : []),
      'kiln:latest',
      '--context',
      '/workspace',
      '--dockerfile',
      '/kiln/bench/Dockerfile',
      '--destination',
      `${this.registry}/bench/${c.name}:${tag}`,
      '--insecure-registry',
      this.registry,
      '--verbosity',
      'debug',
      ...(cache ? ['--cache', '--cache-dir', '/kiln/bench/cache'] : []),
    ];
  }

  get container() {
    return `kiln-bench-in-place-${process.pid}`;
  }

  /** The build and push, timed; the container is removed after (its files are the job's, not the build's). */
  async measured(argv, log) {
    await this.remove(log);
    const cpu0 = this.daemon.group.usageSeconds();
    try {
      const m = await timed(argv, { log, tmp: this.tmp, env: this.daemon.env });
      const cpu = m.cpu + this.daemon.group.usageSeconds() - cpu0;
      return { wall: m.wall, cpu, rssMiB: Number.NaN, processWall: await this.processWall() };
    } finally {
      await this.remove(log);
    }
  }

  /**
   * Seconds from the start of Kiln's process in the container to its exit
   * (dockerd's State.StartedAt and FinishedAt): the wall without the
   * container's creation, start and stop.
   */
  async processWall() {
    const out = await capture(
      [
        '/usr/bin/docker',
        'inspect',
        '--format',
        '{{.State.StartedAt}} {{.State.FinishedAt}}',
        this.container,
      ],
      { env: this.daemon.env },
    );
    const times = out.split(' ');
    if (times.length !== 2) return Number.NaN;
    const [started, finished] = times.map(nanoTime);
    return Number(finished - started) / 1e9;
  }

  remove(log) {
    return run(['/usr/bin/docker', 'rm', '-f', this.container], {
      env: this.daemon.env,
      log,
      allowFail: true,
    });
  }

  async cold(c, log) {
    await this.ensureImage(log);
    return this.measured(this.argv(c, 'kiln-in-place-cold', false), log);
  }

  async warm(c, log) {
    await this.ensureImage(log);
    if (!this.filled.has(c.name)) {
      rmSync(join(this.dir, 'kiln-in-place-cache', c.name), { recursive: true, force: true });
      await this.remove(log);
      await run(this.argv(c, 'kiln-in-place-warm', true), { log: `${log}.fill`, env: this.daemon.env });
      await this.remove(log);
      this.filled.add(c.name);
    }
    return this.measured(this.argv(c, 'kiln-in-place-warm', true), log);
  }
}

/** An RFC 3339 time with up to nanoseconds (Go's) as nanoseconds since the epoch. */
function nanoTime(text) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) throw new Error(`not an RFC 3339 time: ${text}`);
  const seconds = BigInt(Date.parse(`${m[1]}${m[3]}`)) / 1000n;
  return seconds * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}
