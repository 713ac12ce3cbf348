/**
 * The extractor's file pool (worker threads creating small new files):
 * the tree it writes equals GNU tar's and the single-threaded extractor's;
 * entries that need a pooled file (a hardlink to it, the same name again)
 * wait for it; a pooled file that fails names its entry, and nothing is
 * written after extractLayer rejected. The hostile cases run with the pool
 * busy in extract-escapes and extract-whiteouts.
 */

import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { ExtractError } from '../../src/archive/errors.js';
import { extractLayer } from '../../src/archive/extract.js';
import { describeWith } from '../lab/prereq.js';
import {
  bufferStream,
  file,
  hardlink,
  poolPadding,
  run,
  snapshotTree,
  symlink,
  tarBytes,
  tempDir,
} from './helpers.js';

/** Every path under dir, recursively. */
async function listAll(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describeWith({ binaries: ['tar'] }, 'extraction with the file pool', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let archive: string;
  beforeAll(async () => {
    tmp = await tempDir();
    // 1,200 files in 12 directories: sizes around block edges, one too big
    // for the pool, modes with setuid/setgid/sticky bits, sub-second mtimes
    // (that a double holds exactly).
    const src = join(tmp.path, 'src');
    const sizes = [0, 1, 511, 512, 513, 4097, 70_000];
    const modes = [0o644, 0o600, 0o755, 0o4755, 0o2750, 0o1777, 0o444];
    const dirs: string[] = [];
    for (let d = 0; d < 12; d++) {
      dirs.push(join(src, `dir-${d}`, 'sub'), join(src, `dir-${d}`));
      await mkdir(dirs[dirs.length - 2]!, { recursive: true });
      for (let i = 0; i < 100; i++) {
        const size = i === 99 && d === 5 ? 300_000 : sizes[(d + i) % sizes.length]!;
        const p = join(src, `dir-${d}`, i % 3 ? `f-${i}` : `sub/f-${i}`);
        await writeFile(p, Buffer.alloc(size, (d * 100 + i) % 251));
        await chmod(p, modes[i % modes.length]!);
        const t = 1_600_000_000 + d * 100 + i + (i % 4) / 4;
        await utimes(p, t, t);
      }
    }
    for (const d of dirs) await utimes(d, 1_500_000_000.5, 1_500_000_000.5);
    archive = join(tmp.path, 'layer.tar');
    await run('tar', ['--format=pax', '--numeric-owner', '-C', src, '-cf', archive, '.']);
  });
  afterAll(() => tmp.cleanup());

  test('the tree equals GNU tar’s and the one-thread extractor’s', async () => {
    const gnu = join(tmp.path, 'gnu');
    const pooled = join(tmp.path, 'pooled');
    const single = join(tmp.path, 'single');
    for (const d of [gnu, pooled, single]) await mkdir(d);
    await run('tar', ['--numeric-owner', '-p', '-C', gnu, '-xf', archive]);
    const stats = await extractLayer(createReadStream(archive), pooled, { workers: 2 });
    await extractLayer(createReadStream(archive), single, { workers: 0 });
    const want = await snapshotTree(gnu);
    expect(Object.keys(want.nodes)).toHaveLength(1200 + 24);
    expect((await snapshotTree(pooled)).nodes).toEqual(want.nodes);
    expect((await snapshotTree(single)).nodes).toEqual(want.nodes);
    expect(stats).toMatchObject({ files: 1200, dirs: 24 });
  });

  test('a hardlink to a pooled file and the same name again wait for the pooled file', async () => {
    const root = join(tmp.path, 'order');
    await mkdir(root);
    const layer = [
      ...poolPadding('a'),
      file('a/f', 'pooled'),
      hardlink('a/h', 'a/f'),
      file('a/twice', 'first'),
      file('a/twice', 'second'),
      file('a/gone/x', 'x'),
      symlink('a/gone', '/a'),
      file('a/gone/y', 'through the link, inside the root'),
    ];
    await extractLayer(bufferStream(await tarBytes(layer)), root, { workers: 2 });
    expect((await lstat(join(root, 'a/h'))).ino).toBe((await lstat(join(root, 'a/f'))).ino);
    expect(await readFile(join(root, 'a/h'), 'utf8')).toBe('pooled');
    expect(await readFile(join(root, 'a/twice'), 'utf8')).toBe('second');
    expect(await readFile(join(root, 'a/y'), 'utf8')).toBe('through the link, inside the root');
    expect(await listAll(join(root, 'a'))).toEqual(['f', 'gone', 'h', 'twice', 'y']);
  });

  test('a pooled file that fails names its entry; nothing is written after the rejection', async () => {
    const root = join(tmp.path, 'fail');
    await mkdir(root);
    const long = `b/${'n'.repeat(300)}`; // NAME_MAX is 255: open() fails on the worker
    const after = Array.from({ length: 3000 }, (_, i) => file(`c/after-${i}`, 'x'.repeat(i % 700)));
    const layer = [...poolPadding('b'), file(long, 'too long'), ...after];
    const err = await extractLayer(bufferStream(await tarBytes(layer), 1 << 16), root, { workers: 2 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExtractError);
    expect(String(err)).toContain(`entry ${JSON.stringify(long)}`);
    expect(String(err)).toMatch(/ENAMETOOLONG/);
    const written = await listAll(root);
    await new Promise((r) => setTimeout(r, 300));
    expect(await listAll(root)).toEqual(written);
  });
});
