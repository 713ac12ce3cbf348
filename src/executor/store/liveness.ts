/**
 * Which builds using a store are alive. Each build holds an flock on its
 * file in builds/ for as long as it runs (flock.ts: the kernel drops it when
 * the process ends, however it ends); a file nobody locks belongs to a build
 * that ended, and is removed while holding its lock — a build that locks
 * its new file checks that it is still there (SnapshotStore.open), so a
 * live build never loses its file.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tryLock } from './flock.js';
import { ownerOfTemp, type StoreLayout } from './layout.js';

export interface LiveBuilds {
  /** IDs of the builds alive now. */
  ids: Set<string>;
  /** Chain IDs (hex) some live build uses. */
  inUse: Set<string>;
}

/** Whether build `id` is alive; the file of one that ended is removed. */
export async function isBuildAlive(layout: StoreLayout, id: string): Promise<boolean> {
  const file = layout.build(id);
  if (!(await stat(file).catch(() => undefined))) return false;
  const lock = await tryLock(file).catch(() => undefined);
  if (!lock) return true;
  try {
    await rm(file, { force: true });
  } finally {
    await lock.release();
  }
  return false;
}

/**
 * The live builds and what they use; files of ended builds are removed.
 * `self` (this build) is alive without asking.
 */
export async function liveBuilds(layout: StoreLayout, self: string | undefined): Promise<LiveBuilds> {
  const ids = new Set<string>();
  const inUse = new Set<string>();
  const names = await readdir(layout.builds).catch(() => [] as string[]);
  for (const id of names) {
    const file = layout.build(id);
    if (id !== self && !(await isBuildAlive(layout, id))) continue;
    ids.add(id);
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (line) inUse.add(line);
  }
  return { ids, inUse };
}

/** Entries of tmp/ whose build ended (killed mid-write, or crashed). */
export async function orphanedTemps(layout: StoreLayout, self: string | undefined): Promise<string[]> {
  const names = await readdir(layout.tmp).catch(() => [] as string[]);
  const alive = new Map<string, boolean>();
  const out: string[] = [];
  for (const name of names) {
    const owner = ownerOfTemp(name) ?? '';
    if (owner === self) continue;
    let live = alive.get(owner);
    if (live === undefined) {
      live = owner !== '' && (await isBuildAlive(layout, owner));
      alive.set(owner, live);
    }
    if (!live) out.push(join(layout.tmp, name));
  }
  return out;
}
