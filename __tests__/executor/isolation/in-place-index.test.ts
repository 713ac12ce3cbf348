/**
 * The in-place index finds exactly what the walk snapshotter's full walk
 * finds (same ChangeSet conventions), while reading again only the
 * directories whose names changed, and leaves kept paths out.
 */
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import type { Change } from '../../../src/archive/changes.js';
import { InPlaceIndex } from '../../../src/executor/isolation/in-place-index.js';
import { KeptPaths } from '../../../src/executor/isolation/kept-paths.js';
import { diffIndexes, SnapshotIndex, waitForClockPast } from '../../../src/executor/snapshot/walk-index.js';
import { tempDir } from '../busybox-rootfs.js';

const add = (path: string): Change => ({ kind: 'add', path });
const del = (path: string): Change => ({ kind: 'delete', path });
const opq = (path: string): Change => ({ kind: 'opaque', path });

let dir: string;
let root: string;

function seed(): void {
  const files: Record<string, string> = {
    'data/mod': 'v1',
    'data/chm': 'c',
    'data/del': 'd',
    'data/tree/a/b': 'b',
    'data/d2f/x': 'x',
    'data/f2d': 'f',
    'data/opq/old1': '1',
    'data/opq/old2': '2',
    'data/hlsrc': 'h',
    'big/untouched/deep/file': 'u',
    'etc/passwd': 'root:x:0:0::/:/bin/sh\n',
  };
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  for (let i = 0; i < 200; i++) writeFileSync(join(root, 'big', `f${i}`), String(i));
  symlinkSync('/etc', join(root, 'data/link'));
  mkdirSync(join(root, 'mnt/volume/sub'), { recursive: true });
  writeFileSync(join(root, 'mnt/volume/sub/secret'), 's');
  writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
}

beforeEach(() => {
  dir = tempDir('kiln-inplace-index-');
  root = join(dir, 'root');
  mkdirSync(root);
  seed();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const kept = () =>
  new KeptPaths([join(root, 'mnt/volume'), join(root, 'etc/hosts')].map((p) => p.slice(root.length)));

/** [name, change made between the snapshots, expected changes] */
const CASES: Array<[string, () => void, Change[]]> = [
  ['nothing', () => {}, []],
  ['create file', () => writeFileSync(join(root, 'data/new'), 'n'), [add('data'), add('data/new')]],
  ['modify file', () => writeFileSync(join(root, 'data/mod'), 'v2'), [add('data'), add('data/mod')]],
  [
    'modify file, mtime restored',
    () => {
      writeFileSync(join(root, 'data/mod'), 'V1');
      utimesSync(join(root, 'data/mod'), 1, 1);
    },
    [add('data'), add('data/mod')],
  ],
  [
    'modify a file deep in an unchanged tree',
    () => writeFileSync(join(root, 'big/untouched/deep/file'), 'v'),
    [add('big'), add('big/untouched'), add('big/untouched/deep'), add('big/untouched/deep/file')],
  ],
  ['chmod only', () => chmodSync(join(root, 'data/chm'), 0o600), [add('data'), add('data/chm')]],
  ['delete file', () => rmSync(join(root, 'data/del')), [add('data'), del('data/del')]],
  [
    'delete dir tree',
    () => rmSync(join(root, 'data/tree'), { recursive: true }),
    [add('data'), del('data/tree')],
  ],
  [
    'replace dir by file',
    () => {
      rmSync(join(root, 'data/d2f'), { recursive: true });
      writeFileSync(join(root, 'data/d2f'), 'f');
    },
    [add('data'), add('data/d2f')],
  ],
  [
    'replace file by dir',
    () => {
      rmSync(join(root, 'data/f2d'));
      mkdirSync(join(root, 'data/f2d'));
      writeFileSync(join(root, 'data/f2d/x'), 'x');
    },
    [add('data'), add('data/f2d'), add('data/f2d/x')],
  ],
  [
    'delete and re-create a dir (opaque)',
    () => {
      rmSync(join(root, 'data/opq'), { recursive: true });
      mkdirSync(join(root, 'data/opq'));
      writeFileSync(join(root, 'data/opq/new'), 'n');
    },
    [add('data'), add('data/opq'), opq('data/opq'), add('data/opq/new')],
  ],
  [
    'delete one child',
    () => rmSync(join(root, 'data/opq/old1')),
    [add('data'), add('data/opq'), del('data/opq/old1')],
  ],
  [
    'symlink retarget',
    () => {
      rmSync(join(root, 'data/link'));
      symlinkSync('/srv', join(root, 'data/link'));
    },
    [add('data'), add('data/link')],
  ],
  [
    'hardlink create',
    () => linkSync(join(root, 'data/hlsrc'), join(root, 'data/hl')),
    [add('data'), add('data/hl'), add('data/hlsrc')],
  ],
  [
    'rename a directory',
    () => renameSync(join(root, 'data/tree'), join(root, 'data/moved')),
    [add('data'), add('data/moved'), add('data/moved/a'), add('data/moved/a/b'), del('data/tree')],
  ],
  [
    'writes in kept paths are not changes',
    () => {
      writeFileSync(join(root, 'mnt/volume/sub/secret'), 'changed');
      writeFileSync(join(root, 'mnt/volume/new'), 'n');
      writeFileSync(join(root, 'etc/hosts'), '10.0.0.1 other\n');
    },
    [],
  ],
  [
    'a file beside a kept path',
    () => writeFileSync(join(root, 'mnt/other'), 'o'),
    [add('mnt'), add('mnt/other')],
  ],
];

describe('InPlaceIndex.rescan', () => {
  for (const [name, change, expected] of CASES) {
    test(`${name}: as the full walk finds it`, async () => {
      const k = kept();
      const index = InPlaceIndex.build(root, k);
      const walkBefore = await SnapshotIndex.build(root);
      await waitForClockPast(dir, index.maxCtimeNs);
      change();
      const { index: after, changes } = index.rescan();
      expect(changes).toEqual(expected);
      // The full walk (which knows nothing of kept paths) agrees outside them.
      const full = diffIndexes(walkBefore, await SnapshotIndex.build(root), new Set()).filter(
        (c) =>
          !k.has(c.path) &&
          !(c.kind === 'add' && k.holds(c.path) && !expected.some((e) => e.path === c.path)),
      );
      expect(changes).toEqual(full);
      // And the new index is what a fresh build sees.
      expect(after.rescan().changes).toEqual([]);
    });
  }

  for (const [name, change, expected] of CASES) {
    test(`${name}: the same from a shallow index (directories read, files by name)`, async () => {
      // The floor: a write after the tree was made.
      writeFileSync(join(dir, 'probe'), '');
      const floor = lstatSync(join(dir, 'probe'), { bigint: true }).ctimeNs;
      const index = InPlaceIndex.shallow(root, kept(), floor);
      expect(index.stats.entries).toBeGreaterThan(200);
      await waitForClockPast(dir, index.maxCtimeNs);
      change();
      expect(index.rescan().changes).toEqual(expected);
    });
  }

  test('reads only the directories whose names changed', async () => {
    const index = InPlaceIndex.build(root, kept());
    await waitForClockPast(dir, index.maxCtimeNs);
    writeFileSync(join(root, 'big/untouched/deep/file'), 'v');
    writeFileSync(join(root, 'data/new'), 'n');
    const { index: after } = index.rescan();
    // Every entry is looked at; only data/ (a name added) is read again.
    expect(after.stats.entries).toBe(index.stats.entries + 1);
    expect(after.stats.dirsRead).toBe(1);
    expect(index.stats.dirsRead).toBeGreaterThan(8);
  });

  test('the kept paths are not in the index', () => {
    const index = InPlaceIndex.build(root, kept());
    const walk = (n: { children?: Map<string, unknown> }, p: string, out: string[]) => {
      for (const [name, c] of n.children ?? []) {
        out.push(p + name);
        walk(c as { children?: Map<string, unknown> }, `${p}${name}/`, out);
      }
      return out;
    };
    const paths = walk((index as unknown as { top: { children?: Map<string, unknown> } }).top, '', []);
    expect(paths).toContain('mnt');
    expect(paths).toContain('etc/passwd');
    expect(paths).not.toContain('mnt/volume');
    expect(paths).not.toContain('etc/hosts');
  });
});

describe('InPlaceIndex.apply (files written by COPY)', () => {
  test('after apply, a RUN that changes nothing else reports nothing', async () => {
    const index = InPlaceIndex.build(root, kept());
    await waitForClockPast(dir, index.maxCtimeNs);
    mkdirSync(join(root, 'data/copied/sub'), { recursive: true });
    writeFileSync(join(root, 'data/copied/sub/f'), 'f');
    writeFileSync(join(root, 'data/mod'), 'copied over');
    rmSync(join(root, 'data/d2f'), { recursive: true });
    writeFileSync(join(root, 'data/d2f'), 'file now');
    index.apply([
      add('data/copied'),
      add('data/copied/sub'),
      add('data/copied/sub/f'),
      add('data/mod'),
      add('data/d2f'),
    ]);
    await waitForClockPast(dir, index.maxCtimeNs);
    expect(index.rescan().changes).toEqual([]);
  });

  test('then a RUN deleting what COPY wrote is a deletion', async () => {
    const index = InPlaceIndex.build(root, kept());
    await waitForClockPast(dir, index.maxCtimeNs);
    mkdirSync(join(root, 'data/copied'));
    writeFileSync(join(root, 'data/copied/f'), 'f');
    index.apply([add('data/copied'), add('data/copied/f')]);
    await waitForClockPast(dir, index.maxCtimeNs);
    rmSync(join(root, 'data/copied/f'));
    expect(index.rescan().changes).toEqual([add('data'), add('data/copied'), del('data/copied/f')]);
  });
});
