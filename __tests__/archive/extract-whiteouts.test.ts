/**
 * Whiteouts and opaque whiteouts across layers: they hide what lower layers
 * put there and never what their own layer adds, wherever they sit in the
 * tar. Each case runs with small layers and with layers behind a padding
 * that keeps the extractor's file pool busy.
 */

import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { extractLayer } from '../../src/archive/extract.js';
import type { TarWriteEntry } from '../../src/archive/tar-writer.js';
import {
  bufferStream,
  dir,
  file,
  hardlink,
  poolPadding,
  symlink,
  tarBytes,
  tempDir,
  withoutPadding,
} from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let rootfs: string;
let padded = false;

beforeEach(async () => {
  tmp = await tempDir();
  rootfs = join(tmp.path, 'rootfs');
  await mkdir(rootfs);
});
afterEach(() => tmp.cleanup());

async function apply(...layers: TarWriteEntry[][]) {
  const stats = [];
  for (const [i, l] of layers.entries()) {
    const entries = padded ? [...poolPadding(i), ...l] : l;
    stats.push(await extractLayer(bufferStream(await tarBytes(entries)), rootfs));
  }
  return stats;
}

/** Every path under the rootfs, directories with a trailing slash. */
async function tree(rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const n of (await readdir(join(rootfs, rel))).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    const st = await lstat(join(rootfs, r));
    if (st.isDirectory()) out.push(`${r}/`, ...(await tree(r)));
    else out.push(r);
  }
  return withoutPadding(out);
}

const lower: TarWriteEntry[] = [
  dir('d'),
  file('d/old', 'old'),
  dir('d/sub'),
  file('d/sub/old', 'old'),
  file('keep', 'k'),
  file('gone', 'g'),
  dir('gonedir'),
  file('gonedir/f', 'f'),
];

describe.each([
  ['', false],
  [' (file pool busy)', true],
])('extraction%s', (_name, pool) => {
  beforeAll(() => {
    padded = pool;
  });

  describe('whiteouts', () => {
    test('`.wh.name` deletes files and whole directories from lower layers', async () => {
      const [, s] = await apply(lower, [
        file('.wh.gone', ''),
        file('.wh.gonedir', ''),
        file('d/sub/.wh.old', ''),
      ]);
      expect(await tree()).toEqual(['d/', 'd/old', 'd/sub/', 'keep']);
      expect(s!.whiteouts).toBe(3);
    });

    test('a whiteout of a missing path, or in a missing directory, does nothing', async () => {
      await apply(lower, [file('.wh.nothing', ''), file('nodir/.wh.x', '')]);
      expect(await tree()).toEqual([
        'd/',
        'd/old',
        'd/sub/',
        'd/sub/old',
        'gone',
        'gonedir/',
        'gonedir/f',
        'keep',
      ]);
    });

    test.each([
      ['before the add', [file('.wh.gone', ''), file('gone', 'new')]],
      ['after the add', [file('gone', 'new'), file('.wh.gone', '')]],
    ])('a whiteout never deletes what its own layer adds (%s)', async (_n, layer) => {
      await apply(lower, layer);
      expect(await tree()).toContain('gone');
    });

    test('a whiteout after its own layer re-adds a directory keeps only the new content', async () => {
      await apply(lower, [dir('d'), file('d/new', 'n'), file('.wh.d', '')]);
      expect((await tree()).filter((p) => p.startsWith('d/'))).toEqual(['d/', 'd/new']);
    });

    test('a whiteout removes a symlink itself, and hardlinked names independently', async () => {
      await apply(
        [file('t', 'x'), hardlink('h', 't'), symlink('s', 't')],
        [file('.wh.s', ''), file('.wh.h', '')],
      );
      expect(await tree()).toEqual(['t']);
    });
  });

  describe('opaque whiteouts', () => {
    const variants: [string, TarWriteEntry[]][] = [
      [
        'marker first',
        [dir('d'), file('d/.wh..wh..opq', ''), file('d/new', 'n'), dir('d/sub'), file('d/sub/new', 'n')],
      ],
      [
        'marker last',
        [dir('d'), file('d/new', 'n'), dir('d/sub'), file('d/sub/new', 'n'), file('d/.wh..wh..opq', '')],
      ],
      [
        'marker in the middle',
        [dir('d'), file('d/new', 'n'), file('d/.wh..wh..opq', ''), dir('d/sub'), file('d/sub/new', 'n')],
      ],
      ['no explicit sub dir', [file('d/sub/new', 'n'), file('d/new', 'n'), file('d/.wh..wh..opq', '')]],
    ];
    test.each(variants)(
      'hide everything lower layers had in the directory, keep what this layer adds (%s)',
      async (_n, layer) => {
        await apply(lower, layer);
        expect((await tree()).filter((p) => p.startsWith('d/'))).toEqual([
          'd/',
          'd/new',
          'd/sub/',
          'd/sub/new',
        ]);
        expect(await tree()).toContain('keep');
      },
    );

    test('an opaque directory with nothing new ends up empty; later layers see it empty', async () => {
      const [, s] = await apply(lower, [dir('d'), file('d/.wh..wh..opq', '')], [file('d/later', 'l')]);
      expect((await tree()).filter((p) => p.startsWith('d/'))).toEqual(['d/', 'd/later']);
      expect(s!.opaques).toBe(1);
    });

    test('an opaque marker in the root hides all lower content', async () => {
      await apply(lower, [file('.wh..wh..opq', ''), file('fresh', 'f')]);
      expect(await tree()).toEqual(['fresh']);
    });
  });

  describe('overwrite rules', () => {
    test('a non-directory replaces a directory; a directory replaces a non-directory; dir over dir merges', async () => {
      await apply(
        [
          dir('a'),
          file('a/x', 'x'),
          file('b', 'b'),
          symlink('c', 'b'),
          dir('m', { mode: 0o700 }),
          file('m/kept', 'k'),
        ],
        [
          file('a', 'now a file'),
          dir('b'),
          file('b/y', 'y'),
          dir('c', { mode: 0o750 }),
          dir('m', { mode: 0o755 }),
        ],
      );
      expect(await tree()).toEqual(['a', 'b/', 'b/y', 'c/', 'm/', 'm/kept']);
      expect((await lstat(join(rootfs, 'm'))).mode & 0o7777).toBe(0o755);
      expect((await lstat(join(rootfs, 'c'))).mode & 0o7777).toBe(0o750);
    });

    test('the same name twice in one layer: the last entry wins', async () => {
      await apply([
        file('f', 'first'),
        file('f', 'second'),
        dir('d'),
        file('d', 'file'),
        symlink('s', 'x'),
        dir('s'),
      ]);
      expect(await tree()).toEqual(['d', 'f', 's/']);
    });
  });
});
