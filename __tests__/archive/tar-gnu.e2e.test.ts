/**
 * Interop with GNU tar, both ways: what our writer writes, GNU tar lists the
 * same; what GNU tar writes (pax, gnu, ustar formats), our reader lists the
 * same. Extraction comparisons that need root live in tar-gnu.root.e2e.
 */

import { createReadStream } from 'node:fs';
import { chmod, link, mkdir, symlink as mkSymlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeTar } from '../../src/archive/tar-writer.js';
import { describeWith } from '../lab/prereq.js';
import {
  dir,
  file,
  h,
  hardlink,
  type ListedEntry,
  listTar,
  run,
  symlink,
  tarBytes,
  tempDir,
} from './helpers.js';

interface GnuListed {
  type: string;
  mode: string;
  uid: number;
  gid: number;
  size: string;
  mtime: string;
  name: string;
  link?: string;
}

/** `tar -tv` with numeric owners, full times and literal names. */
async function gnuList(args: string[], input?: Buffer): Promise<GnuListed[]> {
  const out = await run('tar', ['--full-time', '--numeric-owner', '--quoting-style=literal', ...args], {
    input,
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S)(\S{9})\S*\s+(\d+)\/(\d+)\s+(\S+)\s+(\S+ \S+)\s+(.*)$/.exec(line);
      if (!m) throw new Error(`unparsed tar line: ${line}`);
      let name = m[7]!;
      let linkTarget: string | undefined;
      for (const sep of [' -> ', ' link to ']) {
        const i = name.indexOf(sep);
        if (i >= 0) {
          linkTarget = name.slice(i + sep.length);
          name = name.slice(0, i);
        }
      }
      return {
        type: m[1]!,
        mode: m[2]!,
        uid: Number(m[3]),
        gid: Number(m[4]),
        size: m[5]!,
        mtime: m[6]!,
        name,
        ...(linkTarget !== undefined ? { link: linkTarget } : {}),
      };
    });
}

const TYPE_CHAR: Record<string, string> = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  hardlink: 'h',
  char: 'c',
  block: 'b',
  fifo: 'p',
};

function modeString(mode: number): string {
  const rwx = (bits: number, special: boolean, ch: string) =>
    `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${special ? (bits & 1 ? ch : ch.toUpperCase()) : bits & 1 ? 'x' : '-'}`;
  return (
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't')
  );
}

/** Our listing rendered as GNU tar renders it (mtime as UTC with nanoseconds when PAX has them). */
function asGnu(e: ListedEntry): Omit<GnuListed, 'mtime'> {
  return {
    type: TYPE_CHAR[e.type]!,
    mode: modeString(e.mode),
    uid: e.uid,
    gid: e.gid,
    size: e.dev ?? String(e.size),
    name: e.name,
    ...(e.type === 'symlink' || e.type === 'hardlink' ? { link: e.linkname } : {}),
  };
}

function gnuTime(mtime: string): string {
  const [sec, frac] = mtime.split('.');
  const d = new Date(Number(sec) * 1000).toISOString().replace('T', ' ').slice(0, 19);
  return Number(frac) === 0 ? d : `${d}.${frac!.replace(/0+$/, '')}`; // as stored in PAX
}

describeWith({ binaries: ['tar', 'mkfifo'] }, 'GNU tar interop', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(() => tmp.cleanup());

  test('GNU tar lists what our writer wrote', async () => {
    const entries = [
      dir('top', { mode: 0o1777 }),
      file('top/setuid', 'abc', { mode: 0o4755, uid: 1000, gid: 50 }),
      file('top/subsec', 'x', { mtime: { sec: 1_700_000_000, nsec: 120_000_000 } }),
      file(`top/${'a'.repeat(120)}/${'b'.repeat(120)}/${'c'.repeat(60)}`, 'deep'),
      file('top/unicodé', 'u'),
      symlink('top/abs-link', `/${'t'.repeat(250)}`),
      symlink('top/rel-link', '../top/setuid'),
      hardlink('top/hard', 'top/setuid'),
      { header: h('top/null', 'char', { devmajor: 1, devminor: 3, mode: 0o666 }) },
      { header: h('top/sda', 'block', { devmajor: 8, devminor: 0, mode: 0o660, gid: 6 }) },
      { header: h('top/pipe', 'fifo', { mode: 0o600 }) },
      file('top/big-ids', 'i', { uid: 3_000_000, gid: 4_000_000 }),
      file('top/xattrs', 'x', { xattrs: { 'user.k': Buffer.from('v') } }),
      file('top/mib', Buffer.alloc(3 << 20, 7)),
    ];
    const bytes = await tarBytes(entries);
    const ours = (await listTar(writeTar(entries))).map((e) => ({ ...asGnu(e), mtime: gnuTime(e.mtime) }));
    const gnu = await gnuList(['-tvf', '-'], bytes);
    expect(gnu).toEqual(ours);
    expect(gnu.length).toBe(entries.length);
    // GNU tar sees the xattr too.
    const withXattrs = await run('tar', ['--xattrs', '-tvvf', '-'], { input: bytes });
    expect(withXattrs).toMatch(/top\/xattrs\n\s+x: 1 user\.k\n/);
  });

  describe('our reader lists what GNU tar wrote', () => {
    let src: string;
    beforeAll(async () => {
      src = join(tmp.path, 'tree');
      await mkdir(join(src, 'd', 'sub'), { recursive: true });
      await writeFile(join(src, 'd', 'plain'), 'plain');
      await writeFile(join(src, 'd', 'setuid'), 'suid');
      await chmod(join(src, 'd', 'setuid'), 0o4755);
      await chmod(join(src, 'd', 'sub'), 0o1777);
      const long = join(src, 'd', 'l'.repeat(90), 'm'.repeat(90), 'n'.repeat(90));
      await mkdir(long, { recursive: true });
      await writeFile(join(long, 'o'.repeat(100)), 'long path');
      await writeFile(join(src, 'd', 'big'), Buffer.alloc(5 << 20, 3));
      await writeFile(join(src, 'd', 'hl-a'), 'shared');
      await link(join(src, 'd', 'hl-a'), join(src, 'd', 'hl-b'));
      await mkSymlink('/'.concat('s'.repeat(200)), join(src, 'd', 'long-link'));
      await mkSymlink('plain', join(src, 'd', 'short-link'));
      await run('mkfifo', [join(src, 'd', 'fifo')]);
      await writeFile(join(src, 'd', 'é-unicode'), 'u');
      await utimes(join(src, 'd', 'plain'), 1_600_000_000.25, 1_600_000_000.25);
    });

    test.each([['pax'], ['gnu'], ['oldgnu'], ['posix'], ['ustar']])('--format=%s', async (format) => {
      const archive = join(tmp.path, `${format}.tar`);
      // ustar cannot hold the 370-byte path or the long link: leave them out there.
      const exclude = format === 'ustar' ? ['--exclude=lll*', '--exclude=long-link'] : [];
      await run('tar', [`--format=${format}`, ...exclude, '-C', src, '-cf', archive, 'd']);
      const ours = (await listTar(createReadStream(archive))).map((e) => asGnu(e));
      const gnu = (await gnuList(['-tvf', archive])).map(({ mtime: _m, ...rest }) => rest);
      expect(ours).toEqual(gnu);
      expect(ours.some((e) => e.name.length > 255)).toBe(format !== 'ustar');
      expect(
        ours.find((e) => e.name === 'd/hl-b')?.link ?? ours.find((e) => e.name === 'd/hl-a')?.link,
      ).toBeDefined();
    });
  });
});

describeWith({ binaries: ['tar', 'setfattr'] }, 'GNU tar PAX xattrs', () => {
  test('xattrs and sub-second times written by GNU tar are read', async () => {
    const tmp = await tempDir();
    try {
      const f = join(tmp.path, 'plain');
      await writeFile(f, 'x');
      await run('setfattr', ['-n', 'user.colour', '-v', 'blue', f]);
      await run('setfattr', ['-n', 'user.bin', '-v', '0x00ff0a', f]);
      await utimes(f, 1_600_000_000.25, 1_600_000_000.25);
      const archive = join(tmp.path, 'xattrs.tar');
      await run('tar', [
        '--format=pax',
        '--xattrs',
        '--xattrs-include=*',
        '-C',
        tmp.path,
        '-cf',
        archive,
        'plain',
      ]);
      const [e] = await listTar(createReadStream(archive));
      expect(e!.mtime).toBe('1600000000.250000000');
      expect(e!.xattrs).toEqual({
        'user.colour': Buffer.from('blue').toString('base64'),
        'user.bin': Buffer.from([0, 255, 10]).toString('base64'),
      });
    } finally {
      await tmp.cleanup();
    }
  });
});
