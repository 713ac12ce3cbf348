/**
 * A full disk on each write path of a build (issue 19 item 5): the cache
 * directory (the tee that keeps pulled layers), the workspace (extraction,
 * COPY, layer files), the docker-archive and OCI layout outputs. Each fails
 * with "no space left on <device> (mounted at <dir>) writing <path>" and
 * leaves no partial file behind. The small filesystems are tmpfs mounts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { build } from '../../src/executor/build.js';
import { silentLogger } from '../../src/log.js';
import { useBuildLab } from '../lab/fixtures.js';
import { describeWith } from '../lab/prereq.js';

/** Every file below dir (relative), directories left out. */
function filesBelow(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => !d.isDirectory())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

describeWith({ root: true, binaries: ['mount', 'umount', 'docker-registry'] }, 'a full disk', () => {
  const lab = useBuildLab({ prefix: 'kiln-full-' });
  let small: string;

  /** A fresh tmpfs of `size` at `small`. */
  const mountSmall = (size: string) =>
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', small]);
  beforeEach(() => {
    small = fs.mkdtempSync(path.join(lab.tmp, 'small-'));
  });
  afterEach(() => {
    execFileSync('umount', ['-l', small], { stdio: 'ignore' });
  });
  const noSpace = (where: string) =>
    new RegExp(`no space left on tmpfs \\(mounted at ${small}\\) writing ${where}`);

  test('in --cache-dir, while a pulled layer is kept: a clear error, no tee file left', async () => {
    mountSmall('256k');
    const ctx = await lab.context({
      Dockerfile: `FROM ${lab.base}\nCOPY --from=${lab.base} /bin/busybox /copied\n`,
    });
    const o = lab.options(ctx);
    o.push = false;
    o.cache = { ...o.cache, enabled: true, dir: path.join(small, 'cache') };
    await expect(build(o, silentLogger)).rejects.toThrow(noSpace(`${small}/cache/blobs/sha256/`));
    expect(filesBelow(path.join(small, 'cache')).filter((f) => f.startsWith('tmp/'))).toEqual([]);
  }, 60_000);

  test.each([
    ['a layer is written', '1m', { Dockerfile: 'FROM scratch\nCOPY big /big\n', big: randomBytes(700_000) }],
    [
      'the base is extracted for a COPY --from',
      '512k',
      { Dockerfile: 'FROM scratch\nCOPY --from=BASE /bin /bin\n' },
    ],
  ])(
    'in the workspace, while %s: a clear error, the workspace removed',
    async (_what, size, files) => {
      mountSmall(size);
      const ctx = await lab.context({ ...files, Dockerfile: files.Dockerfile.replace('BASE', lab.base) });
      const o = lab.options(ctx);
      o.push = false;
      o.workspace = path.join(small, 'ws');
      await expect(build(o, silentLogger)).rejects.toThrow(noSpace(`${small}/ws/`));
      expect(filesBelow(small)).toEqual([]);
    },
    60_000,
  );

  test('writing the docker archive and the OCI layout: clear errors, no partial files', async () => {
    mountSmall('256k');
    const ctx = await lab.context({ Dockerfile: 'FROM scratch\nCOPY big /big\n', big: randomBytes(400_000) });
    const tar = lab.options(ctx);
    tar.push = false;
    tar.tarPath = path.join(small, 'image.tar');
    await expect(build(tar, silentLogger)).rejects.toThrow(noSpace(`${small}/image.tar`));
    expect(filesBelow(small)).toEqual([]);

    const oci = lab.options(ctx);
    oci.push = false;
    oci.ociLayoutPath = path.join(small, 'layout');
    await expect(build(oci, silentLogger)).rejects.toThrow(noSpace(`${small}/layout/blobs/sha256/`));
    expect(filesBelow(small).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 60_000);
});
