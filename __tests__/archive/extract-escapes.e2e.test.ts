/**
 * The malicious-layer suite. Each case crafts layer tars that try to write,
 * link, chmod, delete or read outside the rootfs, extracts them into
 * <tmp>/ws/rootfs, and shows the attempt contained (it lands inside the
 * rootfs) or rejected (typed error), while victims *beside* the workspace are
 * untouched and unread:
 * - victim.txt: content, mtime, link count, and atime (its atime is set
 *   before its mtime, so under relatime any read moves it; a control test
 *   proves that here);
 * - victim-dir/: listing, mode, mtime and atime (a readdir moves it);
 * - victim-fifo: any open() of it blocks, so a read or write through an
 *   escape hangs the extraction (a watchdog process releases it and the
 *   test fails).
 * The suite runs twice: with small layers (every file written on the
 * extracting thread) and with each layer behind a padding of files that
 * starts the file pool, so the hostile entries meet queued files and are
 * themselves pooled where they are new.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { ExtractError, UnsafeEntryError, WhiteoutError } from '../../src/archive/errors.js';
import { extractLayer } from '../../src/archive/extract.js';
import type { TarWriteEntry } from '../../src/archive/tar-writer.js';
import { detectXattrs } from '../../src/archive/xattr.js';
import { describeWith } from '../lab/prereq.js';
import {
  bufferStream,
  dir,
  file,
  h,
  hardlink,
  poolPadding,
  run,
  symlink,
  tarBytes,
  tempDir,
  withoutPadding,
} from './helpers.js';

const OLD_ATIME = 1_000_000;
const OLD_MTIME = 2_000_000;

interface VictimState {
  fileStat: { mtimeMs: number; atimeMs: number; nlink: number; ino: number; size: number };
  dirStat: { mode: number; mtimeMs: number; atimeMs: number };
  fifoIsFifo: boolean;
  beside: string[];
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
let T: string; // the directory holding the workspace and the victims
let rootfs: string;
let before: VictimState;
/** Put poolPadding() in front of every layer. */
let padded = false;

async function victimState(): Promise<VictimState> {
  // stat only: reading would move the atimes we check.
  const f = await lstat(join(T, 'victim.txt'));
  const d = await lstat(join(T, 'victim-dir'));
  const p = await lstat(join(T, 'victim-fifo'));
  return {
    fileStat: { mtimeMs: f.mtimeMs, atimeMs: f.atimeMs, nlink: f.nlink, ino: f.ino, size: f.size },
    dirStat: { mode: d.mode, mtimeMs: d.mtimeMs, atimeMs: d.atimeMs },
    fifoIsFifo: p.isFIFO(),
    beside: (await readdir(T)).sort(),
  };
}

/** A fresh workspace with the victims beside it. */
async function setUpVictims(): Promise<void> {
  tmp = await tempDir();
  T = tmp.path;
  rootfs = join(T, 'ws', 'rootfs');
  await mkdir(rootfs, { recursive: true });
  await writeFile(join(T, 'victim.txt'), 'precious');
  await mkdir(join(T, 'victim-dir'), { mode: 0o755 });
  await writeFile(join(T, 'victim-dir', 'inside.txt'), 'inside');
  await run('mkfifo', [join(T, 'victim-fifo')]);
  for (const v of ['victim.txt', 'victim-dir', 'victim-fifo']) await utimes(join(T, v), OLD_ATIME, OLD_MTIME);
  before = await victimState();
}

async function expectVictimsIntact(): Promise<void> {
  expect(await victimState()).toEqual(before);
  // Content last (reading it moves its atime).
  expect(await readFile(join(T, 'victim.txt'), 'utf8')).toBe('precious');
  expect((await readdir(join(T, 'victim-dir'))).sort()).toEqual(['inside.txt']);
  expect(await readFile(join(T, 'victim-dir', 'inside.txt'), 'utf8')).toBe('inside');
  // Those reads moved the atimes: put them back for the next check in the same test.
  for (const v of ['victim.txt', 'victim-dir']) await utimes(join(T, v), OLD_ATIME, OLD_MTIME);
}

/**
 * Extracts the layers in order; resolves to the error that stopped it, if
 * any. A watchdog *process* (the extractor's syscalls are synchronous, so a
 * timer in this process could not fire) releases the victim FIFO after 15 s
 * if something is blocked opening it, and leaves a marker that fails the test.
 */
async function extractAll(layers: TarWriteEntry[][], withXattrs = false): Promise<unknown> {
  const marker = join(T, 'ws', 'fifo-was-opened');
  for (const [i, entries] of layers.entries()) {
    const bytes = await tarBytes(padded ? [...poolPadding(i), ...entries] : entries);
    const watchdog = spawn(
      'sh',
      ['-c', 'sleep 15; exec 3<>"$1"; echo opened > "$2"', 'watchdog', join(T, 'victim-fifo'), marker],
      { detached: true, stdio: 'ignore' },
    );
    try {
      await extractLayer(bufferStream(bytes, 1000), rootfs, withXattrs ? { xattrs: detectXattrs() } : {});
    } catch (e) {
      return e;
    } finally {
      process.kill(-watchdog.pid!, 'SIGKILL');
      expect(
        existsSync(marker) ? 'the extraction blocked opening the victim FIFO' : 'FIFO never opened',
      ).toBe('FIFO never opened');
    }
  }
  return undefined;
}

const inside = (...parts: string[]) => join(rootfs, ...parts);

async function expectContained(layers: TarWriteEntry[][], withXattrs = false): Promise<void> {
  const err = await extractAll(layers, withXattrs);
  expect(err).toBeUndefined();
  await expectVictimsIntact();
}

async function expectRejected(
  layers: TarWriteEntry[][],
  type: new (...a: never[]) => Error,
  message?: RegExp,
) {
  const err = await extractAll(layers);
  expect(err).toBeInstanceOf(type);
  if (message) expect(String(err)).toMatch(message);
  expect((await lstat(rootfs)).isDirectory()).toBe(true);
  await expectVictimsIntact();
}

const rootListing = async () => withoutPadding(await readdir(rootfs));

for (const pool of [false, true])
  describeWith(
    { binaries: ['mkfifo'] },
    `malicious layers are contained or rejected${pool ? ' (file pool busy)' : ''}`,
    () => {
      beforeAll(async () => {
        padded = pool;
        // The "unread" checks are only worth something if a read moves atime here.
        const t = await tempDir();
        try {
          const c = join(t.path, 'control');
          await writeFile(c, 'x');
          await utimes(c, OLD_ATIME, OLD_MTIME);
          await readFile(c);
          expect((await lstat(c)).atimeMs).not.toBe(OLD_ATIME * 1000);
          await utimes(t.path, OLD_ATIME, OLD_MTIME);
          await readdir(t.path);
          expect((await lstat(t.path)).atimeMs).not.toBe(OLD_ATIME * 1000);
        } finally {
          await t.cleanup();
        }
      });

      beforeEach(setUpVictims);
      afterEach(() => tmp.cleanup());

      // ---------------------------------------------------------------- names

      test('`../` names are rejected', async () => {
        await expectRejected(
          [[file('../../victim.txt', 'pwned')]],
          UnsafeEntryError,
          /climbs above the root/,
        );
        await expectRejected([[file('a/../../../victim-dir/new', 'pwned')]], UnsafeEntryError);
        await expectRejected([[dir('../../victim-dir', { mode: 0o777 })]], UnsafeEntryError);
      });

      test('absolute names land inside the rootfs', async () => {
        await expectContained([[file(`${T}/victim.txt`, 'pwned'), file(`/${T}/victim-dir/new`, 'pwned')]]);
        expect(await readFile(inside(T, 'victim.txt'), 'utf8')).toBe('pwned');
        expect(await readFile(inside(T, 'victim-dir', 'new'), 'utf8')).toBe('pwned');
      });

      test('names that fold inside the root (a/../b, ./x, //x) are fine', async () => {
        await expectContained([[file('a/../b', 'b'), file('./c', 'c'), file('//d', 'd')]]);
        expect(await readFile(inside('b'), 'utf8')).toBe('b');
        expect(await readFile(inside('c'), 'utf8')).toBe('c');
        expect(await readFile(inside('d'), 'utf8')).toBe('d');
      });

      // ---------------------------------------------------------------- symlinks in parent paths

      test('an absolute symlink in a parent path is resolved inside the rootfs', async () => {
        await expectContained([
          [symlink('evil', T), file('evil/victim.txt', 'pwned'), file('evil/victim-dir/inside.txt', 'pwned')],
        ]);
        expect(await readlink(inside('evil'))).toBe(T);
        expect(await readFile(inside(T, 'victim.txt'), 'utf8')).toBe('pwned');
        expect(await readFile(inside(T, 'victim-dir', 'inside.txt'), 'utf8')).toBe('pwned');
      });

      test('a relative symlink climbing out is clamped at the rootfs', async () => {
        await expectContained([
          [
            symlink('evil', '../../victim-dir'),
            file('evil/inside.txt', 'pwned'),
            symlink('up', '../../../../../../..'),
            file('up/victim.txt', 'pwned'),
          ],
        ]);
        expect(await readFile(inside('victim-dir', 'inside.txt'), 'utf8')).toBe('pwned');
        expect(await readFile(inside('victim.txt'), 'utf8')).toBe('pwned');
      });

      test('chains of symlinks stay inside; loops are an error, not a hang', async () => {
        await expectContained([
          [symlink('a', 'b/c'), symlink('b', '../../..'), file('a/victim.txt', 'pwned')],
        ]);
        expect(await readFile(inside('c', 'victim.txt'), 'utf8')).toBe('pwned');
        await expectRejected(
          [[symlink('x', 'y'), symlink('y', 'x'), file('x/f', 'pwned')]],
          ExtractError,
          /too many levels/,
        );
      });

      test('a symlink to the victim FIFO as a parent is never opened', async () => {
        await expectContained([[symlink('p', `${T}/victim-fifo`), file('p/x', 'pwned')]]);
        expect(await readFile(inside(T, 'victim-fifo', 'x'), 'utf8')).toBe('pwned');
      });

      // ---------------------------------------------------------------- hardlinks

      test('hardlinks to outside are rejected: `..`, absolute, or through a symlink', async () => {
        await expectRejected([[hardlink('h', '../../victim.txt')]], UnsafeEntryError);
        await expectRejected([[hardlink('h', `${T}/victim.txt`)]], ExtractError, /does not exist/);
        await expectRejected(
          [[symlink('evil', T), hardlink('h', 'evil/victim.txt')]],
          ExtractError,
          /does not exist/,
        );
        await expectRejected([[symlink('evil', '../..'), hardlink('h', 'evil/victim.txt')]], ExtractError);
        expect((await lstat(join(T, 'victim.txt'))).nlink).toBe(1);
      });

      test('a hardlink to an outward symlink links the symlink; writing that name replaces it', async () => {
        await expectContained([
          [symlink('s', `${T}/victim.txt`), hardlink('h', 's'), file('h', 'pwned'), file('s', 'pwned too')],
        ]);
        expect(await readFile(inside('h'), 'utf8')).toBe('pwned');
        expect(await readFile(inside('s'), 'utf8')).toBe('pwned too');
      });

      test('hardlinks to the root or to a directory are rejected', async () => {
        await expectRejected([[hardlink('h', '.')]], UnsafeEntryError);
        await expectRejected([[dir('d'), hardlink('h', 'd')]], UnsafeEntryError, /is a directory/);
      });

      // ---------------------------------------------------------------- symlinks named . and ..

      test('a symlink named `.`, `..` or folding to the root is rejected', async () => {
        await expectRejected([[symlink('.', T)]], UnsafeEntryError, /names the root/);
        await expectRejected([[symlink('./', T)]], UnsafeEntryError, /names the root/);
        await expectRejected([[symlink('..', T)]], UnsafeEntryError);
        await expectRejected([[dir('a'), symlink('a/..', T)]], UnsafeEntryError, /names the root/);
        await expectRejected([[file('.', 'x')]], UnsafeEntryError);
        // and then nothing was written through the rootfs
        expect(await rootListing()).toEqual(['a']);
      });

      // ---------------------------------------------------------------- replaced directories

      test('a directory replaced by a symlink in a later layer is not followed out', async () => {
        await expectContained([
          [dir('d'), file('d/f', 'one')],
          [symlink('d', `${T}/victim-dir`)],
          [file('d/inside.txt', 'pwned'), dir('d', { mode: 0o777 }), file('d/f', 'three')],
        ]);
        expect(await readFile(inside(T, 'victim-dir', 'inside.txt'), 'utf8')).toBe('pwned');
        expect((await lstat(inside('d'))).isDirectory()).toBe(true);
        expect(await readFile(inside('d', 'f'), 'utf8')).toBe('three');
      });

      test('a directory replaced by a symlink later in the same layer gets no deferred chmod/utimes', async () => {
        await expectContained([
          [
            dir('d', { mode: 0o777, mtime: { sec: 5, nsec: 0 } }),
            dir('d/inside.txt', { mode: 0o777, mtime: { sec: 5, nsec: 0 } }),
            file('d/f', 'x'),
            symlink('d', `${T}/victim-dir`),
            file('d/g', 'pwned'),
          ],
        ]);
        expect(await readlink(inside('d'))).toBe(`${T}/victim-dir`);
        expect(await readFile(inside(T, 'victim-dir', 'g'), 'utf8')).toBe('pwned');
      });

      // ---------------------------------------------------------------- leaf symlinks

      test('an existing symlink at the leaf is replaced, never written through', async () => {
        await expectContained([
          [
            symlink('f', `${T}/victim.txt`),
            symlink('p', `${T}/victim-fifo`),
            symlink('d', `${T}/victim-dir`),
            symlink('l', `${T}/victim.txt`),
            symlink('q', `${T}/victim.txt`),
            symlink('big', `${T}/victim.txt`),
            file('t', 'target'),
          ],
          [
            file('f', 'pwned'),
            file('p', 'pwned'),
            dir('d', { mode: 0o700 }),
            hardlink('l', 't'),
            { header: h('q', 'fifo', { mode: 0o666 }) },
            file('big', Buffer.alloc(3 << 20, 1)),
          ],
        ]);
        for (const n of ['f', 'p', 'big']) expect((await lstat(inside(n))).isFile()).toBe(true);
        expect((await lstat(inside('d'))).mode & 0o7777).toBe(0o700);
        expect((await lstat(inside('l'))).ino).toBe((await lstat(inside('t'))).ino);
        expect((await lstat(inside('q'))).isFIFO()).toBe(true);
      });

      // ---------------------------------------------------------------- whiteouts

      test('whiteouts resolve their directory inside the rootfs', async () => {
        await expectContained([
          [symlink('evil', T), symlink('up', '../../..')],
          [
            file('evil/.wh.victim.txt', ''),
            file('evil/.wh.victim-dir', ''),
            file('up/.wh.victim.txt', ''),
            file('up/victim-dir/.wh..wh..opq', ''),
            file('evil/victim-dir/.wh..wh..opq', ''),
          ],
        ]);
      });

      test('an opaque whiteout in a directory symlinked outside neither reads nor empties it', async () => {
        await expectContained([
          [symlink('d', `${T}/victim-dir`)],
          [file('d/.wh..wh..opq', ''), file('d/.wh.inside.txt', '')],
        ]);
      });

      test('a whiteout of a symlink removes the link, not what it points to', async () => {
        await expectContained([
          [symlink('s', `${T}/victim-dir`), symlink('t', `${T}/victim.txt`)],
          [file('.wh.s', ''), file('.wh.t', '')],
        ]);
        expect(await rootListing()).toEqual([]);
      });

      test('whiteouts with `..` or malformed names are rejected', async () => {
        await expectRejected([[file('../.wh.victim.txt', '')]], UnsafeEntryError);
        await expectRejected([[file('a/.wh..', '')]], WhiteoutError);
        await expectRejected([[file('.wh.', '')]], WhiteoutError, /names no file/);
        await expectRejected([[file('.wh..wh.plnk', '')]], WhiteoutError, /unsupported whiteout marker/);
        await expectRejected([[dir('.wh.dir')]], WhiteoutError);
        await expectRejected([[file('.wh.x/child', '')]], WhiteoutError, /used as a directory/);
      });
    },
  );

describeWith({ binaries: ['mkfifo', 'getfattr', 'setfattr'] }, 'malicious layers: xattrs', () => {
  beforeAll(() => {
    padded = true;
  });
  beforeEach(setUpVictims);
  afterEach(() => tmp.cleanup());

  const noXattrs = async () => {
    const dump = await run('getfattr', [
      '-R',
      '-h',
      '-d',
      '-m',
      '-',
      '--absolute-names',
      join(T, 'victim.txt'),
      join(T, 'victim-dir'),
    ]);
    expect(dump).toBe('');
  };

  test('xattrs never go through a symlink, at the leaf or in a parent replaced later', async () => {
    const x = { 'user.pwned': Buffer.from('1') };
    await expectContained(
      [
        [symlink('s', `${T}/victim.txt`, { xattrs: x }), symlink('sd', `${T}/victim-dir`, { xattrs: x })],
        [dir('d', { xattrs: x }), file('d/inside.txt', 'x', { xattrs: x }), symlink('d', `${T}/victim-dir`)],
      ],
      true,
    );
    await noXattrs();
    expect(await readlink(inside('d'))).toBe(`${T}/victim-dir`);
  });
});
