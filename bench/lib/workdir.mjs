/**
 * Where every tool works: a journaled ext4 filesystem in a loop-mounted
 * image (bench/.work/fs.img on bench/.work/mnt), like the disk of a CI
 * runner. This machine's root filesystem is ext4 without a journal, where
 * creating files right after deleting many (which every cold build does)
 * costs ext4's `recently_deleted` scan: file creation became up to 10x
 * slower for minutes, for every tool alike, and the numbers were noise.
 * Falls back to a plain directory when a loop mount is impossible.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './sh.mjs';

const IMAGE_SIZE = '40G';

function mountedAt(dir) {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);
}

/** Mounts (creating if needed) the bench filesystem; returns { dir, kind, release() }. */
export async function openWorkFs(work, log) {
  const image = join(work, 'fs.img');
  const dir = join(work, 'mnt');
  mkdirSync(dir, { recursive: true });
  if (mountedAt(dir))
    return { dir, kind: 'ext4 (loop, journaled; already mounted)', release: async () => {} };
  try {
    if (!existsSync(image)) {
      await run(['truncate', '-s', IMAGE_SIZE, image]);
      await run(['mkfs.ext4', '-q', '-F', image]);
    }
    await run(['mount', '-o', 'loop,discard', image, dir]);
  } catch (e) {
    log(`warning: no loop-mounted ext4 (${e.message.split('\n')[0]}); working in ${dir} on the root fs`);
    return { dir, kind: 'root filesystem (no loop mount)', release: async () => {} };
  }
  return {
    dir,
    kind: 'ext4 (loop-mounted image, journaled)',
    async release() {
      await unmountBelow(dir);
      await run(['umount', dir], { allowFail: true });
    },
  };
}

/** Unmounts whatever tools left mounted below dir (deepest first). */
export async function unmountBelow(dir) {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await run(['umount', '-l', p], { allowFail: true });
}
