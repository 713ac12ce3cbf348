/**
 * Pushes the base images to the local registry by building them with Kiln
 * (`FROM scratch` + `ADD rootfs.tar /`; the 100,000-file base adds 93,000
 * files on top of Debian; the node base adds Node 24 and npm to Debian; the
 * debian-multi base is an index of Debian for amd64 and arm64),
 * reproducibly. Bases already in the registry
 * (kept between runs) are not rebuilt.
 */
import { copyFileSync, linkSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASES } from './cases.mjs';
import { hasManifest } from './registry.mjs';
import { run } from './sh.mjs';

function place(src, dst) {
  rmSync(dst, { force: true });
  if (statSync(src).dev === statSync(join(dst, '..')).dev) linkSync(src, dst);
  else copyFileSync(src, dst);
}

/**
 * needed: base names ('busybox', 'debian', 'many', 'node', 'debianMulti'); tars: name → rootfs tar.
 * kiln: { node, repo, node24 }.
 */
export async function pushBases({ needed, tars, registry, dir, kiln, log, logDir }) {
  const order = ['busybox', 'debian', 'many', 'node', 'debianMulti'].filter((b) => needed.has(b));
  for (const name of order) {
    const [repo, tag] = BASES[name].split(':');
    if (await hasManifest(registry, repo, tag)) continue;
    const ctx = join(dir, name);
    rmSync(ctx, { recursive: true, force: true });
    mkdirSync(ctx, { recursive: true });
    let dockerfile;
    const platforms = [];
    if (name === 'debianMulti') {
      // An index of both root filesystems, ADDed by TARGETARCH (no RUN: nothing emulated).
      place(tars.debian, join(ctx, 'rootfs-amd64.tar'));
      place(tars.debianArm64, join(ctx, 'rootfs-arm64.tar'));
      dockerfile = 'FROM scratch\nARG TARGETARCH\nADD rootfs-$TARGETARCH.tar /\nCMD ["bash"]\n';
      platforms.push('--platform', 'linux/amd64,linux/arm64');
    } else if (name === 'node') {
      // Debian with the Node 24 binary the repository carries and the host's npm.
      copyFileSync(kiln.node24, join(ctx, 'node'));
      await run(['cp', '-a', '/usr/lib/node_modules/npm', join(ctx, 'npm')]);
      dockerfile = `FROM ${registry}/${BASES.debian}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
`;
    } else {
      place(tars[name], join(ctx, 'rootfs.tar'));
      dockerfile =
        name === 'many'
          ? `FROM ${registry}/${BASES.debian}\nADD rootfs.tar /srv/\n`
          : `FROM scratch\nADD rootfs.tar /\nCMD ["${name === 'debian' ? 'bash' : 'sh'}"]\n`;
    }
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
    log(`pushing ${registry}/${BASES[name]} (built with Kiln)…`);
    const started = Date.now();
    await run(
      [
        kiln.node,
        join(kiln.repo, 'bin/kiln.js'),
        'build',
        '--context',
        ctx,
        '--destination',
        `${registry}/${BASES[name]}`,
        '--insecure-registry',
        registry,
        '--reproducible',
        '--no-store',
        '--workspace',
        join(dir, 'ws'),
        ...platforms,
      ],
      { log: join(logDir, `base-${name}.log`) },
    );
    log(`  in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    rmSync(ctx, { recursive: true, force: true });
  }
}
