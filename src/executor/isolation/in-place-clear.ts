/**
 * Emptying the in-place root for the next stage: everything but the kept
 * paths goes, either deleted or moved aside into the workspace (a rename per
 * entry, so a finished stage a later `COPY --from` reads survives without
 * being extracted again). Directories that hold kept paths stay, emptied of
 * everything else.
 */
import {
  chmodSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import type { KeptPaths } from './kept-paths.js';

function abs(root: string, rel: string): string {
  if (!rel) return root;
  return root === '/' ? `/${rel}` : `${root}/${rel}`;
}

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
