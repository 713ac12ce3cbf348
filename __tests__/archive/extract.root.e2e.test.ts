/**
 * Extraction as root against GNU tar: the same archive (made by GNU tar from
 * a tree with every feature) extracted by GNU tar and by extractLayer gives
 * the same tree — type, mode incl. setuid/setgid/sticky, owner (huge ids
 * too), size, content, link target, device numbers, mtime, hardlink groups —
 * except xattrs outside the allow-list (trusted.*), which Kiln drops.
 */

import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { extractLayer } from '../../src/archive/extract.js';
import type { TarWriteEntry } from '../../src/archive/tar-writer.js';
import { detectXattrs } from '../../src/archive/xattr.js';
import { describeWith } from '../lab/prereq.js';
import {
  bufferStream,
  buildFeatureTree,
  dir,
  file,
  poolPadding,
  run,
  snapshotTree,
  tarBytes,
  tempDir,
  withoutTrustedXattrs,
} from './helpers.js';

describeWith(
  { root: true, binaries: ['tar', 'getfattr', 'setfattr', 'mknod', 'mkfifo'] },
  'extraction as root matches GNU tar',
  () => {
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let src: string;
    beforeAll(async () => {
      tmp = await tempDir();
      src = join(tmp.path, 'src');
      await mkdir(src);
      await buildFeatureTree(src, true);
    });
    afterAll(() => tmp.cleanup());

    async function both(format: string, xattrs: boolean) {
      const archive = join(tmp.path, `${format}.tar`);
      const x = xattrs ? ['--xattrs', '--xattrs-include=*'] : [];
      await run('tar', [`--format=${format}`, ...x, '--numeric-owner', '-C', src, '-cf', archive, '.']);
      const gnu = join(tmp.path, `${format}-gnu`);
      const ours = join(tmp.path, `${format}-ours`);
      await mkdir(gnu);
      await mkdir(ours);
      await run('tar', [...x, '--numeric-owner', '--same-owner', '-p', '-C', gnu, '-xf', archive]);
      const stats = await extractLayer(createReadStream(archive), ours, { xattrs: detectXattrs() });
      return {
        stats,
        gnu: await snapshotTree(gnu, { xattrs }),
        ours: await snapshotTree(ours, { xattrs }),
        source: await snapshotTree(src, { xattrs }),
      };
    }

    test('PAX archive with xattrs', async () => {
      const { gnu, ours, source, stats } = await both('pax', true);
      expect(ours.nodes).toEqual(withoutTrustedXattrs(gnu.nodes));
      expect(ours.hardlinks).toEqual(gnu.hardlinks);
      expect(ours.hardlinks).toEqual([['etc/hl-a', 'etc/hl-b', 'srv/hl-c']]);
      // What the features look like (so the comparison above is about something).
      expect(gnu.nodes['etc/plain']!.xattrs).toHaveProperty(['trusted.secret']);
      expect(ours.nodes['etc/plain']!.xattrs).toEqual({ 'user.colour': '0sYmx1ZQ==' });
      expect(ours.nodes['etc/setuid']).toMatchObject({ mode: '6755', uid: 1000, gid: 1000 });
      expect(ours.nodes['etc/setuid']!.xattrs).toHaveProperty(['security.capability']);
      expect(ours.nodes['srv/huge-ids']).toMatchObject({ uid: 3_000_000, gid: 4_000_000 });
      expect(ours.nodes['etc/null']).toMatchObject({ type: 'char', rdev: String((1 << 8) | 3) });
      expect(ours.nodes.tmp).toMatchObject({ mode: '1777' });
      expect(ours.nodes.srv).toMatchObject({ mode: '2750', uid: 33 });
      expect(ours.nodes['abs-link']).toMatchObject({ link: '/etc/plain', uid: 5, gid: 6 });
      // And GNU tar reproduced the source, so both equal it.
      expect(withoutTrustedXattrs(source.nodes)).toEqual(ours.nodes);
      expect(stats).toMatchObject({
        devices: 2,
        fifos: 1,
        hardlinks: 2,
        skipped: { chown: 0, devices: 0, root: 1 },
      });
      expect(stats.skipped.xattrs).toBe(1); // trusted.secret
    });

    test.each([['gnu'], ['posix']])('--format=%s archive without xattrs', async (format) => {
      const { gnu, ours } = await both(format, false);
      expect(ours.nodes).toEqual(gnu.nodes);
      expect(ours.hardlinks).toEqual(gnu.hardlinks);
    });

    test.each([
      ['', false],
      [' (file pool busy)', true],
    ])(
      'files and directories under a setgid directory of a lower layer get the owner their entry says%s',
      async (_n, pool) => {
        const dest = join(tmp.path, `setgid-${pool}`);
        await mkdir(dest);
        const layer = async (entries: TarWriteEntry[]) =>
          extractLayer(bufferStream(await tarBytes(entries)), dest, { workers: 2 });
        await layer([dir('g', { mode: 0o2775, gid: 50 })]);
        const padding = pool
          ? poolPadding('p').map((e) => ({ ...e, header: { ...e.header, name: `g/sub/${e.header.name}` } }))
          : [];
        await layer([
          file('g/f', 'f'),
          dir('g/sub', { gid: 7 }),
          ...padding,
          file('g/sub/x', 'x'),
          file('g/sub/y', 'y', { gid: 7 }),
        ]);
        const tree = await snapshotTree(dest, { mtimes: false });
        expect(tree.nodes.g).toMatchObject({ mode: '2775', gid: 50 });
        expect(tree.nodes['g/f']).toMatchObject({ gid: 0 });
        expect(tree.nodes['g/sub']).toMatchObject({ mode: '755', gid: 7 });
        expect(tree.nodes['g/sub/x']).toMatchObject({ gid: 0 });
        expect(tree.nodes['g/sub/y']).toMatchObject({ gid: 7 });
        if (pool) expect(tree.nodes['g/sub/pad-p/f-1']).toMatchObject({ gid: 0 });
      },
    );

    test('without chown and devices (as an unprivileged extractor would run): skipped and counted', async () => {
      const archive = join(tmp.path, 'pax.tar');
      const dest = join(tmp.path, 'unprivileged');
      await mkdir(dest);
      const stats = await extractLayer(createReadStream(archive), dest, { chown: false, devices: false });
      const tree = await snapshotTree(dest);
      expect(tree.nodes['etc/null']).toBeUndefined();
      expect(tree.nodes['srv/huge-ids']).toMatchObject({ uid: 0, gid: 0 });
      expect(stats.skipped.devices).toBe(2);
      expect(stats.skipped.chown).toBe(4); // etc/setuid, srv, srv/huge-ids, abs-link (devices are skipped whole)
      expect(stats.xattrsUnavailable).toMatch(/no XattrAccess/);
    });
  },
);
