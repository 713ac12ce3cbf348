/**
 * The RUN sandbox: util-linux `unshare` makes mount, PID, UTS, IPC and cgroup
 * namespaces (plus network for --network=none, plus a user namespace for
 * rootless), and the setup script (sandbox-script.ts) does the rest.
 *
 *  chroot   as root. The command gets the resolved uid, gid and supplementary
 *           groups and Docker's default capability bounding set.
 *  rootless an unprivileged user namespace mapping only the invoking user to
 *           root. Limits: the RUN can only be root (USER must resolve to
 *           uid 0, gid 0: any other id is unmapped); supplementary groups
 *           cannot be set; files the RUN creates belong to the invoking user
 *           on the host (root inside); chown to any other id fails; /proc
 *           needs an unmasked /proc on the host (not inside most containers).
 */

import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { type InRootPath, mkdirInRoot, RootPathError, resolveInRoot } from '../../fs/root-path.js';
import { setting } from '../../hints.js';
import type { Logger } from '../../log.js';
import { CLEAN_ENV, type HostTools } from './host-tools.js';
import { placeRunMounts, runMountPoints } from './mount-placement.js';
import { createStubs, planMountPoints, removeStubs } from './mount-points.js';
import { secretCarriers } from './mounts-script.js';
import { buildScript, finalArgs, GO_FD, STATUS_FD } from './namespace-script.js';
import { TailBuffer } from './output-tail.js';
import { deferredEnvWrapper, EnvError, splitEnv } from './run-env.js';
import { type RunNetwork, runNetwork } from './run-network.js';
import type { IsolationKind, RunResult, RunSpec, Sandbox } from './sandbox.js';
import { SandboxError } from './sandbox.js';
import type { HostArch } from './seccomp/filter.js';
import { seccompLoader } from './seccomp/loader.js';
import { attachSlirp, type Slirp, slirpResolvConf } from './slirp.js';

export const DEFAULT_HOSTNAME = 'buildkitsandbox';

export interface NamespaceSandboxOptions {
  /** Directory for per-run scratch files (the jail mount point, the hosts file). */
  scratchDir: string;
  log: Logger;
  /** Host files shown read-only inside; defaults /etc/hosts and /etc/resolv.conf. */
  hostsFile?: string;
  resolvConfFile?: string;
}

/** The path when it names an existing file (following symlinks), else undefined. */
async function existingFile(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** /bin/sh of the root, resolved inside it; undefined when it cannot be resolved. */
function shellOf(root: string): InRootPath | undefined {
  try {
    return resolveInRoot(root, '/bin/sh');
  } catch {
    return undefined;
  }
}

function signalNumber(name: string): number {
  return (constants.signals as Record<string, number>)[name] ?? 0;
}

export class NamespaceSandbox implements Sandbox {
  constructor(
    readonly kind: IsolationKind,
    readonly tools: HostTools,
    private readonly opts: NamespaceSandboxOptions,
  ) {}

  private nsFlags(net: RunNetwork): string[] {
    const f = this.kind === 'rootless' ? ['--user', '--map-root-user'] : [];
    f.push('--mount', '--pid', '--uts', '--ipc', '--cgroup', '--kill-child', '--propagation', 'private');
    f.push(...net.unshareFlags);
    return f;
  }

  private validate(spec: RunSpec): void {
    if (!isAbsolute(spec.root)) throw new SandboxError(`sandbox root must be an absolute path: ${spec.root}`);
    if (!spec.cwd.startsWith('/')) throw new SandboxError(`working directory must be absolute: ${spec.cwd}`);
    if (spec.argv.length === 0 || spec.argv[0] === '') throw new SandboxError('RUN has no command');
    for (const s of [spec.cwd, ...spec.argv]) {
      if (s.includes('\0')) throw new SandboxError('RUN command or working directory contains a NUL byte');
    }
    const ids = [spec.user.uid, spec.user.gid, ...spec.user.groups];
    if (!ids.every((n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1)) {
      throw new SandboxError(`invalid user ids: ${JSON.stringify(spec.user)}`);
    }
    if (this.kind === 'rootless' && (spec.user.uid !== 0 || spec.user.gid !== 0)) {
      throw new SandboxError(
        `rootless isolation maps only root: this RUN needs uid ${spec.user.uid} gid ${spec.user.gid}; run Kiln as root (e.g. with sudo) to use ${setting('isolation', 'chroot')}`,
      );
    }
    for (const m of spec.runMounts ?? []) {
      if (!m.target.startsWith('/') || m.target.includes('\0'))
        throw new SandboxError(`invalid mount target ${JSON.stringify(m.target)}`);
      if (m.kind === 'file' && this.kind === 'rootless' && (m.uid !== 0 || m.gid !== 0)) {
        throw new SandboxError(
          `rootless isolation maps only root: the secret at ${m.target} asks for uid ${m.uid} gid ${m.gid}; run Kiln as root (e.g. with sudo) to use --isolation chroot`,
        );
      }
    }
  }

  /** What was said already about a RUN going without its network or filter (once per sandbox). */
  private readonly warned = new Set<string>();

  private warnOnce(what: 'slirp4netns' | 'seccomp', message: string): void {
    if (this.warned.has(what)) return;
    this.warned.add(what);
    this.opts.log.warn(message);
  }

  async run(spec: RunSpec): Promise<RunResult> {
    this.validate(spec);
    if (spec.network === 'default' && !this.tools.slirp4netns) {
      this.warnOnce(
        'slirp4netns',
        `RUN steps share the host's network (its loopback services included): ${this.tools.missing?.slirp4netns ?? 'slirp4netns is missing'}; pass --network host to choose this knowingly`,
      );
    }
    if (spec.security !== 'insecure' && !this.tools.seccomp) {
      this.warnOnce(
        'seccomp',
        `RUN steps run without a seccomp filter: ${this.tools.missing?.seccomp ?? 'no filter for this host'}`,
      );
    }
    let split: ReturnType<typeof splitEnv>;
    try {
      split = splitEnv(spec.env);
    } catch (e) {
      if (e instanceof EnvError) throw new SandboxError(e.message);
      throw e;
    }
    let mounts = spec.mounts;
    let stubs: Awaited<ReturnType<typeof createStubs>>['created'] = [];
    const scratch = await mkdtemp(join(this.opts.scratchDir, 'run-'));
    try {
      const points = await runMountPoints(spec.runMounts ?? []);
      if (!mounts) {
        const plan = await planMountPoints(spec.root, this.opts.log, points);
        stubs = (await createStubs(spec.root, plan.stubs)).created;
        mounts = plan.targets;
      }
      const placed = placeRunMounts(spec.runMounts ?? [], points, mounts);
      const secrets = secretCarriers(placed, spec.secretEnv ?? []);
      try {
        mkdirInRoot(spec.root, spec.cwd);
      } catch (e) {
        if (e instanceof RootPathError)
          throw new SandboxError(`cannot use WORKDIR ${spec.cwd}: ${e.message}`);
        throw e;
      }
      let cmd = spec.argv;
      if (split.deferred.length > 0) {
        const sh = shellOf(spec.root);
        if (!sh?.stat?.isFile()) {
          throw new SandboxError(
            `the environment sets ${split.deferred.map((v) => v.name).join(', ')}: Kiln never gives these to a host program and sets them inside the image with its /bin/sh, but the image has no /bin/sh; remove them from ENV/ARG or add a shell to the image`,
          );
        }
        try {
          cmd = [...deferredEnvWrapper('/bin/sh', split.deferred), ...spec.argv];
        } catch (e) {
          if (e instanceof EnvError) throw new SandboxError(e.message);
          throw e;
        }
      }
      const hostname = spec.hostname ?? DEFAULT_HOSTNAME;
      const hostsFile = join(scratch, 'hosts');
      await writeFile(hostsFile, await this.hostsContent(hostname), { mode: 0o644 });
      const pipes: { name: string; file: string }[] = [];
      for (const p of spec.pipes ?? []) {
        if (!/^[\w.-]+$/.test(p.name) || p.name === '.' || p.name === '..') {
          throw new SandboxError(`invalid heredoc script name "${p.name}"`);
        }
        const file = join(scratch, `pipe-${pipes.length}`);
        await writeFile(file, p.content, { mode: p.mode });
        await chmod(file, p.mode);
        pipes.push({ name: p.name, file });
      }
      const jail = join(scratch, 'jail');
      await mkdir(jail, { mode: 0o700 });
      const net = runNetwork(spec.network, this.tools);
      let resolvConfFile = await existingFile(this.opts.resolvConfFile ?? '/etc/resolv.conf');
      if (net.slirp) {
        // The host's nameservers may be on its loopback: the RUN asks slirp4netns's forwarder.
        resolvConfFile = join(scratch, 'resolv.conf');
        await writeFile(resolvConfFile, await slirpResolvConf(this.opts.resolvConfFile), { mode: 0o644 });
      }
      let seccomp: string | undefined;
      if (this.tools.seccomp && spec.security !== 'insecure') {
        seccomp = join(scratch, 'seccomp');
        await writeFile(seccomp, loaderOf(this.tools.seccomp), { mode: 0o755 });
      }
      const script = buildScript({
        kind: this.kind,
        tools: this.tools,
        jail,
        root: spec.root,
        mounts,
        network: spec.network,
        net,
        ...(seccomp ? { seccompLoader: seccomp } : {}),
        hostname,
        hostsFile,
        pipes,
        resolvConfFile,
        user: spec.user,
        runMounts: placed,
        secretEnvAssignments: secrets.envAssignments,
        security: spec.security ?? 'sandbox',
      });
      const args = [
        ...this.nsFlags(net),
        '--',
        this.tools.shell,
        '-c',
        script,
        'kiln-sandbox',
        ...finalArgs(this.tools, split.direct, spec.cwd, spec.user, cmd),
      ];
      return await this.spawnAndWait(args, spec, secrets.env, net);
    } finally {
      await rm(scratch, { recursive: true, force: true });
      if (stubs.length) await removeStubs(spec.root, stubs);
    }
  }

  /** slirp4netns on the network namespace of unshare's child (PID 1 of the RUN's namespaces). */
  private async attachNetwork(unsharePid: number): Promise<Slirp> {
    const children = await readFile(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').catch(
      () => '',
    );
    const pid = Number(children.trim().split(/\s+/)[0]);
    if (!pid) throw new SandboxError("the RUN's network namespace went away before slirp4netns was attached");
    return attachSlirp(this.tools.slirp4netns!, pid, { rootless: this.kind === 'rootless' });
  }

  private async hostsContent(hostname: string): Promise<string> {
    let text = '';
    try {
      text = await readFile(this.opts.hostsFile ?? '/etc/hosts', 'utf8');
    } catch {
      text = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';
    }
    if (!text.endsWith('\n') && text !== '') text += '\n';
    return `${text}127.0.0.1\t${hostname}\n`;
  }

  /** `secretEnv`: variables carrying secret data to the setup script (see mounts-script.ts). */
  private spawnAndWait(
    args: string[],
    spec: RunSpec,
    secretEnv: Record<string, string>,
    net: RunNetwork,
  ): Promise<RunResult> {
    const tail = new TailBuffer();
    // setpriv --pdeathsig: if Kiln dies, unshare dies, and --kill-child takes the namespace down.
    const child = spawn(this.tools.setpriv, ['--pdeathsig', 'KILL', '--', this.tools.unshare, ...args], {
      env: { ...CLEAN_ENV, ...secretEnv },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...(net.slirp ? (['pipe'] as const) : [])],
    });
    // A pipe to a setup that died (killed, aborted) breaks: never an uncaught error.
    for (const s of child.stdio) s?.on('error', () => undefined);
    let status = '';
    let slirp: Promise<Slirp | undefined> | undefined;
    let netError: SandboxError | undefined;
    (child.stdio[STATUS_FD] as Readable).on('data', (d: Buffer) => {
      status += d.toString();
      if (net.slirp && !slirp && status.startsWith('net')) {
        slirp = this.attachNetwork(child.pid!).then(
          (s) => {
            (child.stdio[GO_FD] as NodeJS.WritableStream).end('go\n');
            return s;
          },
          (e: unknown) => {
            netError = e instanceof SandboxError ? e : new SandboxError(String(e));
            child.kill('SIGKILL');
            return undefined;
          },
        );
      }
    });
    const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      tail.push(chunk);
      spec.onOutput?.(chunk, stream);
    };
    child.stdout!.on('data', forward('stdout'));
    child.stderr!.on('data', forward('stderr'));

    const kill = () => {
      // Killing PID 1 of the namespace ends every process in it.
      const pid = child.pid;
      if (!pid) return;
      readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .then((c) => {
          for (const p of c.trim().split(/\s+/).filter(Boolean)) {
            try {
              process.kill(Number(p), 'SIGKILL');
            } catch {
              // already gone
            }
          }
        })
        .catch(() => undefined)
        .finally(() => child.kill('SIGKILL'));
    };
    if (spec.signal?.aborted) kill();
    spec.signal?.addEventListener('abort', kill, { once: true });

    return new Promise<RunResult>((resolve, reject) => {
      child.on('error', (e) => {
        const big =
          (e as NodeJS.ErrnoException).code === 'E2BIG'
            ? ' (the environment, script and secrets are too large together)'
            : '';
        reject(new SandboxError(`cannot start ${this.tools.unshare}: ${e.message}${big}`));
      });
      child.on('close', async (code, signal) => {
        spec.signal?.removeEventListener('abort', kill);
        await (await slirp)?.stop();
        if (netError) {
          reject(netError);
          return;
        }
        if (spec.signal?.aborted) {
          reject(new SandboxError('RUN aborted'));
          return;
        }
        if (status !== (net.slirp ? 'netok' : 'ok')) {
          reject(
            new SandboxError(
              `setting up the ${this.kind} sandbox failed (exit ${code ?? signal})`,
              tail.tail(),
            ),
          );
          return;
        }
        if (signal) resolve({ exitCode: 128 + signalNumber(signal), signal, tail: tail.tail() });
        else resolve({ exitCode: code ?? 1, tail: tail.tail() });
      });
    });
  }
}

const loaders = new Map<HostArch, Buffer>();
/** The seccomp loader of an ABI, made once per process. */
function loaderOf(arch: HostArch): Buffer {
  const made = loaders.get(arch) ?? seccompLoader(arch);
  loaders.set(arch, made);
  return made;
}
