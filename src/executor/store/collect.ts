/**
 * Keeping a snapshot store under its size cap: least recently used entries
 * go first (an entry's meta.json mtime is its last use), never one that a
 * running build uses. One collection at a time (gc.lock); a build that finds
 * another collecting skips its own.
 *
 * Against a build that starts using an entry while it is being removed:
 * builds record an entry in their builds/ file before they look at it; the
 * collection renames its victims out of layers/ (trees/) first, then reads the live
 * builds' files again and puts back any victim that became used. So a
 * mounted entry is never removed; a build that looked in between finds the
 * entry missing and makes it again.
 */
import { readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import { removeInBackground } from '../workspace.js';
import { tryLock, waitForLock } from './flock.js';
import type { StoreLayout } from './layout.js';
import { liveBuilds, orphanedTemps } from './liveness.js';

export interface CollectOptions {
  /** Remove least recently used entries until the store holds at most this many bytes (0: all unused). */
  maxBytes: number;
  /** The collecting process's build ID (SnapshotStore.id): its temps, the victims on their way out, are kept. */
  self: string;
  /** Wait for another collection to end (kiln prune) instead of skipping. */
  wait?: boolean;
  log: Logger;
}

export interface CollectResult {
  /** Entries and bytes left. */
  entries: number;
  bytes: number;
  /** Entries removed and the bytes they took. */
  removed: number;
  freed: number;
  /** Entries kept over the cap because running builds use them. */
  inUse: number;
  /** False when another process was collecting (nothing was removed). */
  collected: boolean;
}

interface Candidate {
  hex: string;
  /** Its directory under layers/ or trees/. */
  dir: string;
  bytes: number;
  usedMs: number;
}

async function listEntries(layout: StoreLayout): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const parent of [layout.layers, layout.trees]) {
    for (const hex of await readdir(parent).catch(() => [] as string[])) {
      const meta = join(parent, hex, 'meta.json');
      const st = await stat(meta).catch(() => undefined);
      let bytes = 0;
      if (st) {
        try {
          bytes = (JSON.parse(await readFile(meta, 'utf8')) as { bytes?: number }).bytes ?? 0;
        } catch {
          // a broken entry: counted as empty, first to go (no use time)
        }
      }
      out.push({ hex, dir: join(parent, hex), bytes, usedMs: st?.mtimeMs ?? 0 });
    }
  }
  return out;
}

export async function collectStore(layout: StoreLayout, opts: CollectOptions): Promise<CollectResult> {
  const entries = await listEntries(layout);
  let bytes = entries.reduce((n, e) => n + e.bytes, 0);
  const result: CollectResult = {
    entries: entries.length,
    bytes,
    removed: 0,
    freed: 0,
    inUse: 0,
    collected: false,
  };
  const over = () => opts.maxBytes === 0 || bytes > opts.maxBytes;
  if (!over()) return { ...result, collected: true };
  const lock = opts.wait ? await waitForLock(layout.gcLock) : await tryLock(layout.gcLock);
  if (!lock) {
    opts.log.debug('snapshot store: another process is collecting; skipped');
    return result;
  }
  try {
    result.collected = true;
    for (const orphan of await orphanedTemps(layout, opts.self)) await removeInBackground(orphan);
    const live = await liveBuilds(layout, opts.self);
    const victims: Candidate[] = [];
    for (const e of [...entries].sort((a, b) => a.usedMs - b.usedMs)) {
      if (!over()) break;
      if (live.inUse.has(e.hex)) {
        result.inUse++;
        continue;
      }
      victims.push(e);
      bytes -= e.bytes;
    }
    if (victims.length === 0) return { ...result, bytes };
    const trash = (v: Candidate) =>
      join(layout.tmp, `${opts.self}.gc-${v.dir.startsWith(layout.trees) ? 't' : 'l'}-${v.hex.slice(0, 12)}`);
    const moved: Candidate[] = [];
    for (const v of victims) {
      if (
        await rename(v.dir, trash(v)).then(
          () => true,
          () => false,
        )
      )
        moved.push(v);
    }
    // A build may have started using one meanwhile: put those back.
    const now = await liveBuilds(layout, opts.self);
    for (const v of moved) {
      if (now.inUse.has(v.hex)) {
        await rename(trash(v), v.dir).catch(() => undefined);
        bytes += v.bytes;
        result.inUse++;
        continue;
      }
      result.removed++;
      result.freed += v.bytes;
    }
    await Promise.all(moved.map((v) => removeInBackground(trash(v))));
    return { ...result, entries: entries.length - result.removed, bytes };
  } finally {
    await lock.release();
  }
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** `10GiB`, `500M`, `2g`, `1048576`: bytes; undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

/** `1.2 GiB` for logs. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
