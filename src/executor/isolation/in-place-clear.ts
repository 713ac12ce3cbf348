/**
 * Emptying the in-place root for the next stage: everything but the kept
 * paths goes, either deleted or moved aside into the workspace (a rename per
 * entry, so a finished stage a later `COPY --from` reads survives without
 * being extracted again). Directories that hold kept paths stay, emptied of
 * everything else. The container's own files (what was there before the
 * build: the debug image's C library links, its /workspace…) are copied
 * aside first, to be put back when the build failed or with --cleanup.
 */
import {
  chmodSync,
  copyFileSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
  symlinkSync,
} from 'node:fs';
import { inRoot as abs } from '../../fs/root-path.js';
import type { KeptPaths } from './kept-paths.js';

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** The non-kept entries of the root, top-most first, and the kept-path holders they sit in. */
function* movable(root: string, kept: KeptPaths, rel = ''): Generator<{ rel: string; holder: boolean }> {
  for (const name of entries(abs(root, rel))) {
    const child = rel ? `${rel}/${name}` : name;
    if (kept.has(child)) continue;
    if (kept.holds(child) && lstatSync(abs(root, child)).isDirectory()) {
      yield { rel: child, holder: true };
      yield* movable(root, kept, child);
    } else yield { rel: child, holder: false };
  }
}

function setMeta(path: string, st: Stats): void {
  lchownSync(path, st.uid, st.gid);
  if (!st.isSymbolicLink()) chmodSync(path, st.mode & 0o7777);
  lutimesSync(path, st.atime, st.mtime);
}

/** Copies one entry (not following symlinks; directories without their content). */
function copyEntry(from: string, to: string, st: Stats): void {
  if (st.isDirectory()) mkdirSync(to, { recursive: true });
  else if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else if (st.isFile()) copyFileSync(from, to);
  else return; // devices, sockets, FIFOs: not the container's files to keep
  setMeta(to, st);
}

/** Copies a whole tree: `from` (a directory) into `to`; directory metadata set after their content. */
function copyTree(from: string, to: string, dirs: Array<[string, Stats]>): void {
  for (const name of entries(from)) {
    const f = abs(from, name);
    const t = abs(to, name);
    const st = lstatSync(f);
    copyEntry(f, t, st);
    if (st.isDirectory()) {
      copyTree(f, t, dirs);
      dirs.push([t, st]);
    }
  }
}

/**
 * Copies `from` (a directory, a file or a symlink) to `to` (which must not
 * exist), owners, modes and times included.
 */
export function copyWhole(from: string, to: string): void {
  const st = lstatSync(from);
  copyEntry(from, to, st);
  if (!st.isDirectory()) return;
  const dirs: Array<[string, Stats]> = [];
  copyTree(from, to, dirs);
  dirs.push([to, st]);
  setDirMeta(dirs);
}

/** Bytes of the files in the root, kept paths left out; stops counting past `limit`. */
function sizeOf(root: string, kept: KeptPaths, limit: number): number {
  let total = 0;
  const walk = (dir: string) => {
    for (const name of entries(dir)) {
      if (total > limit) return;
      const st = lstatSync(abs(dir, name));
      if (st.isDirectory()) walk(abs(dir, name));
      else total += st.size;
    }
  };
  for (const e of movable(root, kept)) {
    if (total > limit) break;
    if (e.holder) continue;
    const st = lstatSync(abs(root, e.rel));
    if (st.isDirectory()) walk(abs(root, e.rel));
    else total += st.size;
  }
  return total;
}

/**
 * Copies everything in `root` but the kept paths into `dest` (a new, empty
 * directory), owners, modes and times included. False (nothing copied) when
 * it holds more than `limit` bytes.
 */
export function saveRoot(root: string, kept: KeptPaths, dest: string, limit: number): boolean {
  if (sizeOf(root, kept, limit) > limit) return false;
  const dirs: Array<[string, Stats]> = [];
  for (const e of movable(root, kept)) {
    const from = abs(root, e.rel);
    const to = abs(dest, e.rel);
    const st = lstatSync(from);
    copyEntry(from, to, st);
    if (st.isDirectory()) {
      if (!e.holder) copyTree(from, to, dirs);
      dirs.push([to, st]);
    }
  }
  setDirMeta(dirs);
  return true;
}

/** Puts what saveRoot() copied back into the (emptied) root; holders get their metadata back. */
export function restoreRoot(saved: string, root: string, kept: KeptPaths): void {
  const dirs: Array<[string, Stats]> = [];
  const walk = (rel: string) => {
    for (const name of entries(abs(saved, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      if (kept.has(child)) continue;
      const from = abs(saved, child);
      const to = abs(root, child);
      const st = lstatSync(from);
      if (kept.holds(child) && st.isDirectory()) {
        mkdirSync(to, { recursive: true });
        walk(child);
        dirs.push([to, st]);
        continue;
      }
      copyEntry(from, to, st);
      if (st.isDirectory()) {
        copyTree(from, to, dirs);
        dirs.push([to, st]);
      }
    }
  };
  walk('');
  setDirMeta(dirs);
}

/** Directory owners, modes and times, deepest first (their children changed the times). */
function setDirMeta(dirs: Array<[string, Stats]>): void {
  dirs.sort((a, b) => b[0].length - a[0].length);
  for (const [d, st] of dirs) setMeta(d, st);
}

/** Deletes everything in `root` but the kept paths. */
export function clearRoot(root: string, kept: KeptPaths): void {
  for (const e of movable(root, kept)) {
    if (!e.holder) rmSync(abs(root, e.rel), { recursive: true, force: true });
  }
}

/**
 * Moves everything in `root` but the kept paths into `dest` (an empty
 * directory on the same filesystem): holders are re-created there with
 * their owner, mode and times. False when a rename failed (e.g. EXDEV on an
 * overlay directory from a lower layer): what was moved is in `dest`, the
 * rest still in `root`; the caller deletes both.
 */
export function moveAside(root: string, kept: KeptPaths, dest: string): boolean {
  const holders: string[] = [];
  for (const e of movable(root, kept)) {
    const to = abs(dest, e.rel);
    if (e.holder) {
      mkdirSync(to);
      holders.push(e.rel);
      continue;
    }
    try {
      renameSync(abs(root, e.rel), to);
    } catch {
      return false;
    }
  }
  // Deepest first: a holder's times change while its children arrive.
  for (const rel of holders.reverse()) {
    const st = lstatSync(abs(root, rel));
    const to = abs(dest, rel);
    lchownSync(to, st.uid, st.gid);
    chmodSync(to, st.mode & 0o7777);
    lutimesSync(to, st.atime, st.mtime);
  }
  const top = lstatSync(root);
  chmodSync(dest, top.mode & 0o7777);
  return true;
}
