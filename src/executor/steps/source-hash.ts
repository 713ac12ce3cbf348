/**
 * The content part of a COPY/ADD cache key: every selected source entry's
 * path, type, mode and content (sha256) or link target, and which entries
 * are hardlinks of an earlier one (COPY keeps hardlinks), in walk order.
 * Owners of context files do not count: COPY gives them 0:0 or --chown.
 * Mtimes do not count either (BuildKit's content checksum ignores them too).
 * A memo (kept in the local cache dir) saves reading files whose stat is
 * unchanged since a previous build.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { DigestScope } from '../../cache/file-digest-memo.js';
import type { CacheKeyBuilder } from '../../cache/key.js';
import { forEachLimit } from '../../concurrency.js';
import { encodeName, osPath, readlinkName } from '../../fs/byte-names.js';
import type { SourceMatch, SourceTree } from './source-tree.js';

const PARALLEL = 16;
/** Files up to this size are read synchronously into one shared buffer. */
const SMALL = 1 << 20;
/** Small files hashed between two turns of the event loop. */
const YIELD_EVERY = 256;

/** Files up to this size are read in one call (a stream per small file costs more than its read). */
const WHOLE_READ_MAX = 4 << 20;

async function fileDigest(file: string, size: number): Promise<string> {
  if (size <= WHOLE_READ_MAX)
    return createHash('sha256')
      .update(await fs.promises.readFile(osPath(file)))
      .digest('hex');
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(osPath(file), { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 (hex) of a file's content. */
export async function fileSha256(file: string): Promise<string> {
  return fileDigest(file, (await fs.promises.stat(osPath(file))).size);
}

/** sha256 of a small file through `buf` (a 1 MiB stream buffer per file cost more than the hashing). */
function smallFileDigest(file: string, buf: Buffer): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(osPath(file), 'r');
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

function typeOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  return 'other';
}

/** Adds the sources of `matches` (files, and directory contents) to the key. */
export async function hashSources(
  k: CacheKeyBuilder,
  tree: SourceTree,
  matches: SourceMatch[],
  memo?: DigestScope,
): Promise<void> {
  const entries: { rel: string; abs: string; stat: fs.Stats }[] = [];
  for (const m of matches) {
    entries.push({ rel: m.matched, abs: m.abs, stat: m.stat });
    if (m.stat.isDirectory()) {
      for await (const e of tree.walk(m))
        entries.push({ rel: `${m.matched}/${e.rel}`, abs: e.abs, stat: e.stat });
    }
  }
  const digests: string[] = new Array(entries.length).fill('');
  const buf = Buffer.allocUnsafe(SMALL);
  let small = 0;
  await forEachLimit(entries, PARALLEL, async (e, i) => {
    if (e.stat.isFile()) {
      let d = memo?.get(e.abs, e.stat);
      if (d === undefined) {
        if (e.stat.size <= SMALL) {
          d = smallFileDigest(e.abs, buf);
          if (++small % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
        } else d = await fileDigest(e.abs, e.stat.size);
        memo?.set(e.abs, e.stat, d);
      }
      digests[i] = d;
    } else if (e.stat.isSymbolicLink()) digests[i] = readlinkName(e.abs);
  });
  const firstOfInode = new Map<string, string>();
  entries.forEach((e, i) => {
    let link = '';
    if (e.stat.isFile() && e.stat.nlink > 1) {
      const ino = `${e.stat.dev}:${e.stat.ino}`;
      const first = firstOfInode.get(ino);
      if (first === undefined) firstOfInode.set(ino, e.rel);
      else link = first;
    }
    // As bytes: a name that is not UTF-8 keeps its own key (the same bytes as before for every other name).
    k.field(
      'src',
      encodeName(
        `${e.rel}\0${typeOf(e.stat)}\0${(e.stat.mode & 0o7777).toString(8)}\0${digests[i]}${link ? `\0link:${link}` : ''}`,
      ),
    );
  });
}
