/**
 * Keeps a local cache directory from growing without end (it is saved to
 * the GitHub Actions cache after every run): entries past the TTL go, then
 * blobs no entry names that were not used within the TTL (base layers are
 * marked used on every read), then miss-explaining traces past the TTL and
 * temp files left by killed builds.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { hexOf } from '../image/digest.js';
import { parseEntry, staleness } from './entry.js';

export interface PruneResult {
  entries: number;
  blobs: number;
  bytes: number;
}

const TEMP_MAX_AGE_MS = 24 * 3600 * 1000;

export async function pruneCacheDir(
  dir: string,
  ttlMs: number,
  now: Date = new Date(),
): Promise<PruneResult> {
  const result: PruneResult = { entries: 0, blobs: 0, bytes: 0 };
  const keep = new Set<string>();
  const entriesDir = path.join(dir, 'entries');
  for (const name of await fs.readdir(entriesDir).catch(() => [] as string[])) {
    const file = path.join(entriesDir, name);
    let drop = false;
    try {
      const e = parseEntry(await fs.readFile(file, 'utf8'));
      if (staleness(e.created, ttlMs, now)) drop = true;
      else if (e.layer) keep.add(hexOf(e.layer.digest));
    } catch {
      drop = true;
    }
    if (drop) {
      await fs.rm(file, { force: true });
      result.entries++;
    }
  }
  const blobsDir = path.join(dir, 'blobs', 'sha256');
  for (const name of await fs.readdir(blobsDir).catch(() => [] as string[])) {
    if (keep.has(name)) continue;
    const file = path.join(blobsDir, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (!st || now.getTime() - st.mtimeMs <= ttlMs) continue;
    await fs.rm(file, { force: true });
    result.blobs++;
    result.bytes += st.size;
  }
  const tracesDir = path.join(dir, 'traces');
  for (const name of await fs.readdir(tracesDir).catch(() => [] as string[])) {
    const file = path.join(tracesDir, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (st && now.getTime() - st.mtimeMs > ttlMs) await fs.rm(file, { force: true });
  }
  const tmpDir = path.join(dir, 'tmp');
  for (const name of await fs.readdir(tmpDir).catch(() => [] as string[])) {
    const file = path.join(tmpDir, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (st && now.getTime() - st.mtimeMs > TEMP_MAX_AGE_MS)
      await fs.rm(file, { force: true, recursive: true });
  }
  return result;
}
