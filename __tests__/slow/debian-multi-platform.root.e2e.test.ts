/**
 * The "done when", on real Debian: a two-platform (amd64 + arm64)
 * build of a Debian Dockerfile with RUN steps (arm64 under QEMU) pushes a
 * valid index — each platform validated, copied with skopeo and unpacked
 * with umoci — and the matrix-and-merge path (two --push-by-digest
 * processes, then kiln index create) gives the same index digest.
 *
 * Slow (debootstrap of arm64 takes minutes the first time; the rootfs tars
 * are cached in the temp dir): not in the default run. `npm run test:slow`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { DEBIAN_FIXTURE_BINARIES, debianRootfsTar } from '../lab/debian-fixture.js';
import { kilnProcess as kiln } from '../lab/kiln-process.js';
import { buildSplit, cliBuild, unpackPlatform } from '../lab/platform-images.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { clientFetcher, validateImage } from '../lab/validate-image.js';

const run = promisify(execFile);

describeWith(
  {
    root: true,
    binaries: [...DEBIAN_FIXTURE_BINARIES, 'docker-registry', 'skopeo', 'umoci', 'unshare', 'setpriv'],
    emulate: ['linux/arm64'],
  },
  'Debian, two platforms: index, per-platform validation, matrix-and-merge digest',
  () => {
    let registry: TestRegistry;
    let client: RegistryClient;
    let tmp: string;
    let ctx: string;

    beforeAll(async () => {
      const tars = { amd64: await debianRootfsTar('amd64'), arm64: await debianRootfsTar('arm64') };
      registry = await startRegistry();
      client = new RegistryClient({ insecure: [registry.host] });
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-debian-multi-'));
      // The base: an index of both root filesystems, built by Kiln (no RUN: nothing emulated).
      const baseCtx = path.join(tmp, 'base');
      await fs.mkdir(baseCtx);
      for (const [arch, tar] of Object.entries(tars))
        await fs
          .link(tar, path.join(baseCtx, `rootfs-${arch}.tar`))
          .catch(() => fs.copyFile(tar, path.join(baseCtx, `rootfs-${arch}.tar`)));
      await fs.writeFile(
        path.join(baseCtx, 'Dockerfile'),
        'FROM scratch\nARG TARGETARCH\nADD rootfs-$TARGETARCH.tar /\nCMD ["bash"]\n',
      );
      await kiln([
        'build',
        '--context',
        baseCtx,
        '--platform',
        'linux/amd64,linux/arm64',
        '--destination',
        `${registry.host}/base/debian:bookworm`,
        '--insecure-registry',
        registry.host,
        '--reproducible',
        '--workspace',
        tmp,
      ]);
      ctx = path.join(tmp, 'app');
      await fs.mkdir(ctx);
      await fs.writeFile(
        path.join(ctx, 'Dockerfile'),
        [
          `FROM ${registry.host}/base/debian:bookworm`,
          'RUN dpkg --print-architecture > /dpkg-arch && uname -m > /uname',
          "RUN echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd && mkdir -p /home/app && chown 1000:1000 /home/app",
          'RUN rm -rf /usr/share/doc /usr/share/man && ls /usr/share > /share-list',
          'USER app',
          'CMD ["bash"]',
        ].join('\n'),
      );
    });

    afterAll(async () => {
      await client?.close();
      await registry?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    test('the two-platform build pushes a valid index; each platform is right; merge gives the same digest', async () => {
      const dest = `${registry.host}/team/debian-app:1`;
      const digest = (
        await kiln([
          ...cliBuild(ctx, registry.host, tmp),
          '--platform',
          'linux/amd64,linux/arm64',
          '--destination',
          dest,
        ])
      ).trim();
      const index = JSON.parse(
        (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${dest}`])).stdout,
      );
      expect(
        index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture),
      ).toEqual(['amd64', 'arm64']);

      for (const [i, [arch, uname]] of [
        ['amd64', 'x86_64'],
        ['arm64', 'aarch64'],
      ].entries()) {
        const v = await validateImage(
          clientFetcher(client),
          parseReference(`${registry.host}/team/debian-app@${index.manifests[i].digest}`),
        );
        expect(v.digest).toBe(index.manifests[i].digest);
        const dir = path.join(tmp, `unpack-${arch}`);
        const root = await unpackPlatform(dest, arch!, dir);
        expect(await fs.readFile(`${root}/dpkg-arch`, 'utf8')).toBe(`${arch}\n`);
        expect(await fs.readFile(`${root}/uname`, 'utf8')).toBe(`${uname}\n`);
        expect(await fs.readFile(`${root}/etc/passwd`, 'utf8')).toContain(
          'app:x:1000:1000::/home/app:/bin/sh',
        );
        expect((await fs.stat(`${root}/home/app`)).uid).toBe(1000);
        await expect(fs.stat(`${root}/usr/share/doc`)).rejects.toThrow(/ENOENT/);
        const config = JSON.parse(await fs.readFile(`${dir}/bundle/config.json`, 'utf8'));
        expect(config.process.user.uid).toBe(1000);
        await fs.rm(dir, { recursive: true, force: true });
      }

      const { parts, merged } = await buildSplit(
        cliBuild(ctx, registry.host, tmp),
        registry.host,
        `${registry.host}/team/debian-app`,
        ['linux/amd64', 'linux/arm64'],
        'merged',
      );
      expect(parts).toEqual(index.manifests.map((m: { digest: string }) => m.digest));
      expect(merged).toBe(digest);
    });
  },
);
