/**
 * By hand, as root (not a test: it needs dockerd): builds small multi-platform
 * Dockerfiles on the busybox amd64 + arm64 index with Kiln (one
 * `--platform linux/amd64,linux/arm64` build) and with Docker 20.10's
 * BuildKit (`docker build --platform P`, one per platform, under the same
 * QEMU handlers), then compares each platform's image: the file tree (types,
 * modes, owners, contents, links; not times) and the config fields of the
 * differential suite.
 *
 *   node_modules/.bin/tsx __tests__/differential/buildkit-platform-check.ts
 *
 * It starts its own dockerd unless KILN_BUILDKIT_HOST=unix:///…/docker.sock names one.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import type { ImageConfig } from '../../src/image/manifest.js';
import { parseReference } from '../../src/image/reference.js';
import { silentLogger } from '../../src/log.js';
import { RegistryClient } from '../../src/registry/client.js';
import { compareConfigs, comparedConfig } from '../lab/config-compare.js';
import { runCommand } from '../lab/differential-lab.js';
import { DOCKER, type Dockerd, startDockerd } from '../lab/dockerd.js';
import { removeMountStubs } from '../lab/intended-differences.js';
import { pushMultiArchBusybox } from '../lab/multiarch-fixture.js';
import { unpackPlatform } from '../lab/platform-images.js';
import { startRegistry } from '../lab/registry.js';
import { compareTrees, snapshotTree, type Tree } from '../lab/tree-compare.js';

const PLATFORMS = ['linux/amd64', 'linux/arm64'];

const CASES: { name: string; dockerfile: string }[] = [
  {
    name: 'run-uname',
    dockerfile: [
      'FROM {{base}}',
      'ARG TARGETPLATFORM',
      'RUN uname -m > /arch && echo "$TARGETPLATFORM" > /target && mkdir -p /d/e && ln -s ../arch /d/link && chmod 751 /d',
      'COPY note.txt /note.txt',
      'USER 1000',
      'CMD ["cat", "/arch"]',
    ].join('\n'),
  },
  {
    name: 'platform-args',
    dockerfile: [
      'FROM {{base}}',
      'ARG TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDPLATFORM BUILDOS BUILDARCH',
      'RUN echo "$TARGETPLATFORM|$TARGETOS|$TARGETARCH|$TARGETVARIANT|$BUILDPLATFORM|$BUILDOS|$BUILDARCH" > /args',
      'ENV ARCH=$TARGETARCH',
    ].join('\n'),
  },
  {
    name: 'cross-compile',
    dockerfile: [
      'FROM --platform=$BUILDPLATFORM {{base}} AS build',
      'ARG TARGETARCH',
      'RUN mkdir /out && echo "for $TARGETARCH, made on $(uname -m)" > /out/app',
      'FROM {{base}}',
      'COPY --from=build /out/app /app',
      'RUN cat /app > /check && uname -m >> /check',
    ].join('\n'),
  },
  {
    name: 'no-run',
    dockerfile: ['FROM scratch', 'ARG TARGETARCH', 'COPY note.txt /$TARGETARCH.txt', 'CMD ["/x"]'].join('\n'),
  },
];

async function unpack(ref: string, arch: string, dir: string): Promise<{ tree: Tree; config: ImageConfig }> {
  const root = await unpackPlatform(ref, arch, dir);
  const config = JSON.parse(
    await runCommand('skopeo', [
      'inspect',
      '--config',
      '--tls-verify=false',
      '--override-arch',
      arch,
      `docker://${ref}`,
    ]),
  ) as ImageConfig;
  return { tree: await snapshotTree(root), config };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-buildkit-platform-'));
  const registry = await startRegistry();
  const client = new RegistryClient({ insecure: [registry.host] });
  let dockerd: Dockerd | undefined;
  let failures = 0;
  try {
    const base = `${registry.host}/base/busybox:multi`;
    await pushMultiArchBusybox(client, [parseReference(base)]);
    let host = process.env.KILN_BUILDKIT_HOST;
    if (!host) {
      dockerd = await startDockerd();
      host = dockerd.host;
    }
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: host, DOCKER_BUILDKIT: '1' };
    for (const c of CASES) {
      const ctx = join(dir, c.name);
      await mkdir(ctx, { recursive: true });
      await writeFile(join(ctx, 'Dockerfile'), c.dockerfile.replaceAll('{{base}}', base));
      await writeFile(join(ctx, 'note.txt'), 'note\n');
      const kilnRef = `${registry.host}/kiln/${c.name}:1`;
      const o = defaultBuildOptions(ctx, join(ctx, 'Dockerfile'));
      Object.assign(o, {
        destinations: [kilnRef],
        insecureRegistries: [registry.host],
        platforms: PLATFORMS,
      });
      await build(o, silentLogger);
      for (const platform of PLATFORMS) {
        const arch = platform.split('/')[1]!;
        const bkRef = `${registry.host}/buildkit/${c.name}:${arch}`;
        await runCommand(
          DOCKER,
          [
            'build',
            '--network',
            'host',
            '--progress',
            'plain',
            '--no-cache',
            '--platform',
            platform,
            '-t',
            bkRef,
            ctx,
          ],
          { env },
        );
        await runCommand(DOCKER, ['push', bkRef], { env });
        const k = await unpack(kilnRef, arch, join(dir, `${c.name}-${arch}-kiln`));
        const b = await unpack(bkRef, arch, join(dir, `${c.name}-${arch}-buildkit`));
        // BuildKit 0.8 leaves empty /dev, /proc, /sys after a RUN (current BuildKit does not).
        removeMountStubs(b.tree);
        const names = { expected: 'buildkit', actual: 'kiln' };
        const diffs = [
          ...compareTrees(b.tree, k.tree, {}, names),
          ...compareConfigs(comparedConfig(b.config), comparedConfig(k.config), names),
        ];
        const sample = ['/arch', '/args', '/check', '/target']
          .filter((p) => k.tree.has(p))
          .map(
            async (p) =>
              `${p}=${JSON.stringify((await readFile(join(dir, `${c.name}-${arch}-kiln/bundle/rootfs${p}`), 'utf8')).trim())}`,
          );
        const shown = (await Promise.all(sample)).join(' ');
        if (diffs.length === 0) {
          console.log(`✓ ${c.name} ${platform}: Kiln ≡ BuildKit (${k.tree.size} paths; ${shown})`);
        } else {
          failures++;
          console.log(`✗ ${c.name} ${platform}:`);
          for (const d of diffs) console.log(`  ${d}`);
        }
      }
    }
  } finally {
    await client.close();
    await registry.stop();
    await dockerd?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const total = CASES.length * PLATFORMS.length;
  console.log(`${total - failures}/${total} case platforms agree`);
  process.exitCode = failures ? 1 : 0;
}

await main();
