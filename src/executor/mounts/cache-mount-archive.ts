/**
 * The cache mounts directory as one gzipped tar, to carry it between
 * machines (the action saves it to the GitHub Actions cache): written with
 * the layer writer (owners, modes, xattrs, hardlinks kept; users and locks
 * left out), read back with the safe layer extractor. Owners are applied
 * only as root, as for any layer.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Change } from '../../archive/changes.js';
import { extractLayer } from '../../archive/extract.js';
import { writeLayer } from '../../archive/layer-writer.js';
import type { XattrAccess } from '../../archive/xattr.js';

/** Paths of the tree under `root` to archive: instances' data, not their users or the locks. */
async function archivedPaths(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    for (const name of (await readdir(path.join(root, rel))).sort()) {
      // <cache>/.lock, <cache>/<n>/users, <cache>/<n>/data.new are never carried.
      if (depth === 1 && name === '.lock') continue;
      if (depth === 2 && name !== 'data') continue;
      const child = rel ? `${rel}/${name}` : name;
      out.push(child);
      if ((await lstat(path.join(root, child))).isDirectory()) await walk(child, depth + 1);
    }
  };
  await walk('', 0);
  return out;
}

/** Writes `root` to `file` (gzip); returns the number of entries. */
export async function exportCacheMounts(root: string, file: string, xattrs?: XattrAccess): Promise<number> {
  const paths = await archivedPaths(root);
  const changes: Change[] = paths.map((p) => ({ kind: 'add', path: p }));
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await pipeline(
      writeLayer({ sourceRoot: root, changes }, xattrs ? { xattrs } : {}),
      zlib.createGzip({ level: 1 }),
      createWriteStream(tmp, { mode: 0o600 }),
    );
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return paths.length;
}

/** Unpacks `file` into `root` (made if missing); what is there already stays unless the archive replaces it. */
export async function importCacheMounts(file: string, root: string, xattrs?: XattrAccess): Promise<number> {
  await mkdir(root, { recursive: true });
  const gunzip = zlib.createGunzip();
  const source = createReadStream(file);
  source.on('error', (e) => gunzip.destroy(e));
  const stats = await extractLayer(source.pipe(gunzip), root, xattrs ? { xattrs } : {});
  return stats.entries;
}
