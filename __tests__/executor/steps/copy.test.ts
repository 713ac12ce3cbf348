/**
 * copyIntoRootfs without root: BuildKit's destination rules, --exclude,
 * --parents, hardlinks inside one source, and a symlink in the image that
 * points outside never sending a file there.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type CopySource, copyIntoRootfs } from '../../../src/executor/steps/copy.js';
import { SourceTree } from '../../../src/executor/steps/source-tree.js';
import { writeTree } from '../../lab/fixtures.js';

let tmp: string;
let ctx: SourceTree;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-copy-'));
  const dir = await writeTree(path.join(tmp, 'ctx'), {
    'a.txt': 'a',
    'b.txt': 'b',
    'src/x/deep.txt': 'deep',
    'src/skip.log': 'log',
  });
  await fs.link(path.join(dir, 'src/x/deep.txt'), path.join(dir, 'src/x/hard.txt'));
  ctx = new SourceTree(dir, 'build context');
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

async function rootfs(): Promise<string> {
  const r = await fs.mkdtemp(path.join(tmp, 'root-'));
  await fs.chmod(r, 0o755);
  return r;
}

async function sources(...patterns: string[]): Promise<CopySource[]> {
  const out: CopySource[] = [];
  for (const p of patterns) for (const match of await ctx.match(p)) out.push({ tree: ctx, match });
  return out;
}

const copy = async (
  root: string,
  dest: string,
  srcs: CopySource[],
  extra: { exclude?: string[]; parents?: boolean } = {},
) =>
  copyIntoRootfs({
    rootfs: root,
    dest,
    sources: srcs,
    contents: [],
    exclude: extra.exclude ?? [],
    parents: extra.parents ?? false,
  });

describe('copyIntoRootfs', () => {
  test('one file goes to dest itself; with a trailing slash or several sources, into dest', async () => {
    const r = await rootfs();
    await copy(r, '/named', await sources('a.txt'));
    expect(await fs.readFile(path.join(r, 'named'), 'utf8')).toBe('a');
    await copy(r, '/dir/', await sources('a.txt'));
    expect(await fs.readFile(path.join(r, 'dir/a.txt'), 'utf8')).toBe('a');
    await copy(r, '/many', await sources('a.txt', 'b.txt'));
    expect((await fs.readdir(path.join(r, 'many'))).sort()).toEqual(['a.txt', 'b.txt']);
  });

  test('a directory source copies its contents; --exclude drops matches; hardlinks inside stay linked', async () => {
    const r = await rootfs();
    const written = await copy(r, '/app', await sources('src'), { exclude: ['*.log'] });
    expect([...written.keys()].sort()).toEqual(['app', 'app/x', 'app/x/deep.txt', 'app/x/hard.txt']);
    const a = await fs.stat(path.join(r, 'app/x/deep.txt'));
    const b = await fs.stat(path.join(r, 'app/x/hard.txt'));
    expect(a.ino).toBe(b.ino);
  });

  test('two sources that are hardlinks of each other become independent files (BuildKit copies each alone)', async () => {
    const r = await rootfs();
    await copy(r, '/two/', await sources('src/x/deep.txt', 'src/x/hard.txt'));
    await copy(r, '/glob/', await sources('src/x/*.txt'));
    for (const d of ['two', 'glob']) {
      const a = await fs.stat(path.join(r, d, 'deep.txt'));
      const b = await fs.stat(path.join(r, d, 'hard.txt'));
      expect([a.nlink, b.nlink, a.ino === b.ino]).toEqual([1, 1, false]);
    }
  });

  test('--parents keeps the source path', async () => {
    const r = await rootfs();
    await copy(r, '/p/', await sources('src/x/deep.txt'), { parents: true });
    expect(await fs.readFile(path.join(r, 'p/src/x/deep.txt'), 'utf8')).toBe('deep');
  });

  test('a symlink in the image pointing outside the root is followed inside it', async () => {
    const r = await rootfs();
    const outside = await fs.mkdtemp(path.join(tmp, 'outside-'));
    await fs.symlink(outside, path.join(r, 'escape'));
    const written = await copy(r, '/escape/', await sources('a.txt'));
    expect(await fs.readdir(outside)).toEqual([]);
    const [rel] = [...written.keys()].filter((k) => k.endsWith('a.txt'));
    expect(rel).toBe(`${outside.slice(1)}/a.txt`);
    expect(await fs.readFile(path.join(r, rel!), 'utf8')).toBe('a');
  });
});
