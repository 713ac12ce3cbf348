/**
 * Layer writer round trips as root: a tree with every feature (owners, huge
 * ids, setuid, devices, FIFO, hardlinks, xattrs) → writeLayer → GNU tar -x
 * and → extractLayer both give back the tree, minus xattrs outside the
 * allow-list.
 */

import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Change } from '../../src/archive/changes.js';
import { extractLayer } from '../../src/archive/extract.js';
import { writeLayer } from '../../src/archive/layer-writer.js';
import { detectXattrs } from '../../src/archive/xattr.js';
import { readStream } from '../lab/fixtures.js';
import { describeWith } from '../lab/prereq.js';
import { buildFeatureTree, listTar, run, snapshotTree, tempDir, withoutTrustedXattrs } from './helpers.js';

async function allPaths(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const n of await readdir(rel ? join(root, rel) : root)) {
    const r = rel ? `${rel}/${n}` : n;
    out.push(r);
    if ((await lstat(join(root, r))).isDirectory()) out.push(...(await allPaths(root, r)));
  }
  return out;
}

describeWith(
  { root: true, binaries: ['tar', 'getfattr', 'setfattr', 'mknod', 'mkfifo'] },
  'layer writer as root',
  () => {
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let src: string;
    let changes: Change[];
    beforeAll(async () => {
      tmp = await tempDir();
      src = join(tmp.path, 'src');
      await mkdir(src);
      await buildFeatureTree(src, true);
      changes = (await allPaths(src)).map((path) => ({ kind: 'add', path }));
    });
    afterAll(() => tmp.cleanup());

    const layer = () =>
      writeLayer({ sourceRoot: src, changes }, { xattrs: detectXattrs(), subsecondMtimes: true });

    test('GNU tar extracts the layer back into the same tree', async () => {
      const bytes = await readStream(layer());
      const dest = join(tmp.path, 'gnu');
      await mkdir(dest);
      await run(
        'tar',
        ['--xattrs', '--xattrs-include=*', '--numeric-owner', '--same-owner', '-p', '-C', dest, '-xf', '-'],
        {
          input: bytes,
        },
      );
      const source = await snapshotTree(src, { xattrs: true });
      const back = await snapshotTree(dest, { xattrs: true });
      expect(back.nodes).toEqual(withoutTrustedXattrs(source.nodes));
      expect(back.hardlinks).toEqual(source.hardlinks);
      expect(source.nodes['etc/plain']!.xattrs).toHaveProperty(['trusted.secret']);
    });

    test('extractLayer gives back the same tree', async () => {
      const dest = join(tmp.path, 'ours');
      await mkdir(dest);
      const stats = await extractLayer(layer(), dest, { xattrs: detectXattrs() });
      const source = await snapshotTree(src, { xattrs: true });
      const back = await snapshotTree(dest, { xattrs: true });
      expect(back.nodes).toEqual(withoutTrustedXattrs(source.nodes));
      expect(back.hardlinks).toEqual([['etc/hl-a', 'etc/hl-b', 'srv/hl-c']]);
      expect(stats.skipped).toEqual({ chown: 0, devices: 0, xattrs: 0, root: 0, kept: 0 });
    });

    test('headers: numeric owners only, capabilities and user xattrs, hardlinks to the first path', async () => {
      const listed = await listTar(layer());
      const by = Object.fromEntries(listed.map((e) => [e.name, e]));
      expect(by['etc/setuid']).toMatchObject({ mode: 0o6755, uid: 1000, gid: 1000 });
      expect(Object.keys(by['etc/setuid']!.xattrs ?? {})).toEqual(['security.capability']);
      expect(by['etc/plain']!.xattrs).toEqual({ 'user.colour': Buffer.from('blue').toString('base64') });
      expect(by['srv/huge-ids']).toMatchObject({ uid: 3_000_000, gid: 4_000_000 });
      expect(by['etc/hl-b']).toMatchObject({ type: 'hardlink', linkname: 'etc/hl-a' });
      expect(by['srv/hl-c']).toMatchObject({ type: 'hardlink', linkname: 'etc/hl-a' });
      expect(by['etc/null']).toMatchObject({ type: 'char', dev: '1,3' });
      expect(by['tmp/fifo']).toMatchObject({ type: 'fifo', mode: 0o640 });
      const raw = await readStream(layer());
      expect(raw.includes(Buffer.from('trusted.secret'))).toBe(false);
      expect(raw.equals(await readStream(layer()))).toBe(true);
    });
  },
);
