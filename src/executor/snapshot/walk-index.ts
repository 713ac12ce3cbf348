/**
 * Metadata index of a rootfs for the walk snapshotter: per path the type,
 * mode, owner, size, times, inode and link target. Two indexes are compared
 * to find what a RUN changed; ctime catches every content or metadata write
 * (the snapshotter makes sure the filesystem clock has moved past the newest
 * ctime in the index before a RUN starts, so a write is never hidden in the
 * same timestamp tick).
 */
import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Change } from '../../archive/changes.js';
import { sortChanges, withAncestors } from './snapshot.js';

export interface IndexEntry {
  /** f d l c b p s */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  btimeNs: bigint;
  ino: bigint;
  rdev: bigint;
  target?: string;
}

export function typeOf(st: BigIntStats): string {
  if (st.isDirectory()) return 'd';
  if (st.isFile()) return 'f';
  if (st.isSymbolicLink()) return 'l';
  if (st.isCharacterDevice()) return 'c';
  if (st.isBlockDevice()) return 'b';
  if (st.isFIFO()) return 'p';
  return 's';
}

async function entryOf(abs: string): Promise<IndexEntry | undefined> {
  let st: BigIntStats;
  try {
    st = await lstat(abs, { bigint: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const e = entryFromStat(st);
  if (e.type === 'l') e.target = await readlink(abs);
  return e;
}

/** The indexed metadata of an lstat (a symlink's target is not read). */
export function entryFromStat(st: BigIntStats): IndexEntry {
  const type = typeOf(st);
  return {
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: type === 'd' ? 0n : st.size,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
    btimeNs: st.birthtimeNs,
    ino: st.ino,
    rdev: st.rdev,
  };
}

const CONCURRENCY = 64;

export class SnapshotIndex {
  private constructor(
    readonly root: string,
    readonly entries: Map<string, IndexEntry>,
  ) {}

  /** Walks the whole rootfs. */
  static async build(root: string): Promise<SnapshotIndex> {
    const index = new SnapshotIndex(root, new Map());
    await index.walkInto('');
    return index;
  }

  /** Adds rel's descendants (rel itself excluded) from disk. */
  private async walkInto(rel: string): Promise<void> {
    const queue = [rel];
    while (queue.length) {
      const dir = queue.pop()!;
      let names: string[];
      try {
        names = await readdir(join(this.root, dir));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw e;
      }
      for (let i = 0; i < names.length; i += CONCURRENCY) {
        const batch = names.slice(i, i + CONCURRENCY);
        const stats = await Promise.all(
          batch.map((n) =>
            entryOf(join(this.root, dir, n)).then((e) => [dir ? `${dir}/${n}` : n, e] as const),
          ),
        );
        for (const [path, e] of stats) {
          if (!e) continue;
          this.entries.set(path, e);
          if (e.type === 'd') queue.push(path);
        }
      }
    }
  }

  private removeSubtree(rel: string): void {
    const prefix = `${rel}/`;
    this.entries.delete(rel);
    // Descendants follow their parent in no particular Map order: scan keys
    // only when rel was a directory (a change to COPY'd paths is small).
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Brings the index up to date for paths changed by other means (COPY/ADD). */
  async apply(changes: Change[]): Promise<void> {
    for (const c of sortChanges(changes)) {
      const old = this.entries.get(c.path);
      if (c.kind === 'delete') {
        if (old?.type === 'd') this.removeSubtree(c.path);
        else this.entries.delete(c.path);
        continue;
      }
      const now = await entryOf(join(this.root, c.path));
      if (!now) {
        if (old?.type === 'd') this.removeSubtree(c.path);
        else this.entries.delete(c.path);
        continue;
      }
      if (old?.type === 'd' && (now.type !== 'd' || c.kind === 'opaque')) this.removeSubtree(c.path);
      this.entries.set(c.path, now);
      if (now.type === 'd' && (old?.type !== 'd' || c.kind === 'opaque')) await this.walkInto(c.path);
    }
  }

  maxCtimeNs(): bigint {
    let max = 0n;
    for (const e of this.entries.values()) if (e.ctimeNs > max) max = e.ctimeNs;
    return max;
  }
}

/** Another inode at the same path (birth times, where the filesystem has them, differ). */
export function recreated(a: IndexEntry, b: IndexEntry): boolean {
  return a.ino !== b.ino || (a.btimeNs !== 0n && b.btimeNs !== 0n && a.btimeNs !== b.btimeNs);
}

/** Metadata that differs; `ignoreTimes`: mtime too, besides ctime (times only Kiln moved). */
export function changed(a: IndexEntry, b: IndexEntry, ignoreCtime: boolean, ignoreTimes = false): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return true;
  if (a.size !== b.size || a.rdev !== b.rdev || a.target !== b.target) return true;
  if (ignoreTimes) return false;
  return a.mtimeNs !== b.mtimeNs || (!ignoreCtime && a.ctimeNs !== b.ctimeNs);
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * The ChangeSet entries between two indexes of the same rootfs (see
 * snapshot.ts for the conventions). `ignoreCtime`: directories whose ctime
 * Kiln itself changed (parents of removed mount-point stubs).
 */
export function diffIndexes(before: SnapshotIndex, after: SnapshotIndex, ignoreCtime: Set<string>): Change[] {
  const out: Change[] = [];
  const recreatedDirs = new Set<string>();
  for (const [path, a] of after.entries) {
    const b = before.entries.get(path);
    if (!b || b.type !== a.type) {
      out.push({ kind: 'add', path });
    } else if (recreated(a, b)) {
      out.push({ kind: 'add', path });
      if (a.type === 'd') recreatedDirs.add(path);
    } else if (changed(a, b, ignoreCtime.has(path))) {
      out.push({ kind: 'add', path });
    }
  }
  const opaque = new Set<string>();
  for (const path of before.entries.keys()) {
    if (after.entries.has(path)) continue;
    const parent = parentOf(path);
    if (parent !== '') {
      const pa = after.entries.get(parent);
      const pb = before.entries.get(parent);
      if (pa?.type !== 'd' || pb?.type !== 'd') continue; // covered by the parent's change
      if (recreatedDirs.has(parent)) {
        opaque.add(parent);
        continue;
      }
    }
    out.push({ kind: 'delete', path });
  }
  for (const path of opaque) out.push({ kind: 'opaque', path });
  return sortChanges(withAncestors(out));
}

/**
 * Waits until a write on the filesystem of `dir` gets a ctime later than
 * `ctimeNs` (timestamps come from a coarse clock: a write in the same tick as
 * the newest indexed entry would otherwise look unchanged). Returns that
 * write's ctime.
 */
export async function waitForClockPast(dir: string, ctimeNs: bigint): Promise<bigint> {
  const probe = join(dir, `.kiln-clock-${process.pid}-${randomBytes(6).toString('hex')}`);
  let now = ctimeNs;
  try {
    for (let i = 0; i < 1000; i++) {
      await writeFile(probe, '');
      now = (await lstat(probe, { bigint: true })).ctimeNs;
      if (now > ctimeNs) return now;
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await rm(probe, { force: true });
  }
  return now;
}

/** The ctime a write gets now on the filesystem of `dir`: every earlier write has one no later. */
export function clockNow(dir: string): Promise<bigint> {
  return waitForClockPast(dir, -1n);
}
