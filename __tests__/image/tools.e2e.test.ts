/**
 * Cross-checks with the real tools: skopeo reads Kiln's OCI layouts and
 * docker-archives and copies them; gzip and zstd decompress Kiln's layers,
 * and the diffIDs are the sha256 of what they give.
 */

import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Layer } from '../../src/image/blob.js';
import { writeDockerArchive } from '../../src/image/docker-archive.js';
import { emptyImage, type Image } from '../../src/image/image.js';
import { writeLayerBlob } from '../../src/image/layer.js';
import { MediaType } from '../../src/image/media-types.js';
import { blobPath, readOciLayout, writeOciLayout } from '../../src/image/oci-layout.js';
import { parsePlatform } from '../../src/image/platform.js';
import { readStream } from '../lab/fixtures.js';
import { describeWith } from '../lab/prereq.js';
import { gnuTarLayer, noise, removeDir, sha256Of, tempDir } from './helpers.js';

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { maxBuffer: 1 << 28 });
const skopeo = (...args: string[]) => JSON.parse(run('skopeo', ['--insecure-policy', ...args]).toString());

describeWith(
  { binaries: ['skopeo', 'gzip', 'zstd', 'tar'] },
  'image outputs read by skopeo, gzip, zstd',
  () => {
    let work: string;
    let layers: Layer[];
    let image: Image;

    beforeAll(async () => {
      work = await tempDir();
      const tars = [
        await gnuTarLayer({ 'bin/tool': noise(200_000, 3), 'etc/motd': 'hello\n' }),
        await gnuTarLayer({ 'usr/share/doc/readme': 'docs '.repeat(3000) }),
        await gnuTarLayer({ 'var/lib/state': 'state' }),
      ];
      const kinds = ['gzip', 'zstd', 'none'] as const;
      layers = await Promise.all(
        tars.map((t, i) =>
          writeLayerBlob(Readable.from([t]), join(work, `layer${i}`), { compression: kinds[i]! }),
        ),
      );
      image = emptyImage(parsePlatform('linux/amd64'))
        .appendLayer(layers[0]!, { created_by: 'COPY tool /bin/tool', created: '2024-05-01T00:00:00Z' })
        .addHistory({ created_by: 'ENV A=1', created: '2024-05-01T00:00:00Z' })
        .appendLayer(layers[1]!, { created_by: 'COPY docs', created: '2024-05-01T00:00:00Z' })
        .appendLayer(layers[2]!, { created_by: 'RUN state', created: '2024-05-01T00:00:00Z' })
        .withConfig((c) => {
          c.created = '2024-05-01T00:00:00Z';
          c.config.Env = ['PATH=/usr/bin:/bin', 'A=1 & <2>'];
          c.config.Cmd = ['/bin/tool', '--serve'];
          c.config.Labels = { 'org.opencontainers.image.title': 'kiln test', b: '2' };
          c.config.ExposedPorts = { '8080/tcp': {} };
        });
    });
    afterAll(() => removeDir(work));

    test('diffIDs are the sha256 of gzip -dc / zstd -dc / cat of each stored layer', async () => {
      const dir = join(work, 'oci-diffids');
      await writeOciLayout(dir, image, { tag: 'v1' });
      const tools: Record<string, string[]> = {
        [MediaType.OciLayerGzip]: ['gzip', '-dc'],
        [MediaType.OciLayerZstd]: ['zstd', '-dc'],
        [MediaType.OciLayer]: ['cat'],
      };
      for (const [i, d] of image.manifest().layers.entries()) {
        const [cmd, ...args] = tools[d.mediaType]!;
        const plain = run(cmd!, [...args, blobPath(dir, d.digest)]);
        expect(sha256Of(plain)).toBe(image.config.rootfs.diff_ids[i]);
        expect(sha256Of(run('cat', [blobPath(dir, d.digest)]))).toBe(d.digest);
      }
    });

    test('skopeo inspect oci:DIR:tag shows the config and the manifest Kiln wrote', async () => {
      const dir = join(work, 'oci-inspect');
      await writeOciLayout(dir, image, { tag: 'v1' });
      const info = skopeo('inspect', `oci:${dir}:v1`);
      expect(info.Digest).toBe(image.digest());
      expect(info.Architecture).toBe('amd64');
      expect(info.Os).toBe('linux');
      expect(info.Env).toEqual(['PATH=/usr/bin:/bin', 'A=1 & <2>']);
      expect(info.Labels).toEqual({ 'org.opencontainers.image.title': 'kiln test', b: '2' });
      expect(info.Layers).toEqual(layers.map((l) => l.digest));
      const config = skopeo('inspect', '--config', `oci:${dir}:v1`);
      expect(config.config.Cmd).toEqual(['/bin/tool', '--serve']);
      expect(config.rootfs.diff_ids).toEqual(layers.map((l) => l.diffId));
      expect(config.history).toHaveLength(4);
      const raw = run('skopeo', ['inspect', '--raw', `oci:${dir}:v1`]);
      expect(raw.equals(image.manifestBytes())).toBe(true);
    });

    test('skopeo copy oci → oci verifies every blob and keeps the digest', async () => {
      const dir = join(work, 'oci-src');
      const dest = join(work, 'oci-copy');
      await writeOciLayout(dir, image, { tag: 'v1' });
      run('skopeo', [
        '--insecure-policy',
        'copy',
        '--preserve-digests',
        `oci:${dir}:v1`,
        `oci:${dest}:copied`,
      ]);
      const back = await readOciLayout(dest, { tag: 'copied' });
      expect(back.digest()).toBe(image.digest());
    });

    test('skopeo inspect docker-archive:FILE shows the config; docker format too', async () => {
      // Docker schema 2 has no zstd type: the Docker-format image has gzip and plain layers only.
      const docker = emptyImage(parsePlatform('linux/amd64'), { format: 'docker' })
        .appendLayer(layers[0]!)
        .appendLayer(layers[2]!)
        .withConfig((c) => ({ ...c, config: image.config.config }));
      for (const img of [image, docker]) {
        const file = join(work, `archive-${img.manifestFormat}.tar`);
        await writeDockerArchive(file, img, { tags: ['kiln/test:v1'] });
        const info = skopeo('inspect', `docker-archive:${file}`);
        expect(info.RepoTags).toEqual([]); // skopeo lists registry tags only
        expect(info.Env).toEqual(['PATH=/usr/bin:/bin', 'A=1 & <2>']);
        expect(info.Labels).toEqual({ 'org.opencontainers.image.title': 'kiln test', b: '2' });
        const config = skopeo('inspect', '--config', `docker-archive:${file}`);
        expect(config.config.Cmd).toEqual(['/bin/tool', '--serve']);
        expect(config.config.ExposedPorts).toEqual({ '8080/tcp': {} });
      }
    });

    test('skopeo copy docker-archive → oci dir gives the same filesystem (diffIDs) and config', async () => {
      const file = join(work, 'copy-src.tar');
      const dest = join(work, 'from-archive');
      await writeDockerArchive(file, image, { tags: ['kiln/test:v1'] });
      run('skopeo', ['--insecure-policy', 'copy', `docker-archive:${file}:kiln/test:v1`, `oci:${dest}:v1`]);
      const back = await readOciLayout(dest, { tag: 'v1' });
      expect(back.config.rootfs.diff_ids).toEqual(image.config.rootfs.diff_ids);
      expect(back.config.config).toEqual(image.config.config);
      expect(back.config.history).toEqual(image.config.history);
      for (const [i, l] of back.layers.entries()) {
        expect(sha256Of(await readStream(l.openUncompressed()))).toBe(layers[i]!.diffId);
      }
      expect((await readdir(join(dest, 'blobs', 'sha256'))).length).toBe(2 + layers.length);
    });
  },
);
