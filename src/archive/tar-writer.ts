/**
 * Entry-level tar writer: ustar headers, with a PAX `x` header in front when
 * a value does not fit ustar (names or link targets over 100 bytes or not
 * ASCII, sizes of 8 GiB and more, ids over 2097151, negative or sub-second
 * mtimes, xattrs as `SCHILY.xattr.<name>`); names that are not UTF-8 keep
 * their bytes (nameField). The output depends only on the
 * input: PAX records are sorted and nothing time- or process-dependent is
 * written (GNU tar puts its pid in PAX header names; this writer does not).
 */
import { Readable } from 'node:stream';
import { encodeName, hasRawBytes } from '../fs/byte-names.js';
import { ArchiveError } from './errors.js';
import {
  BLOCK,
  FIELD,
  fitsString,
  formatPaxRecord,
  formatPaxTime,
  octalMax,
  paddingFor,
  type TarEntryType,
  type Timespec,
  TYPEFLAG,
  writeChecksum,
  writeOctal,
  writeString,
  ZERO_BLOCK,
} from './tar-format.js';

export interface TarWriteHeader {
  name: string;
  type: TarEntryType;
  /** Permission bits incl. setuid/setgid/sticky; other bits are dropped. */
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  /** Body size; only 'file' entries have a body. */
  size?: number;
  mtime: Timespec;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, Buffer>;
}

export type TarBody = Buffer | Readable | AsyncIterable<Buffer>;

export interface TarWriteEntry {
  header: TarWriteHeader;
  /** The data of a 'file' entry, exactly `header.size` bytes. */
  body?: TarBody | (() => TarBody | Promise<TarBody>);
  /** The body's buffer is reused once the next entry is asked for: copy it whatever its size. */
  transient?: boolean;
}

/** Two zero blocks: the end of an archive. */
export const TAR_END: Buffer = Buffer.alloc(2 * BLOCK);

/** Zero bytes that pad a body of `size` bytes to a block boundary. */
export function tarPadding(size: number): Buffer {
  return ZERO_BLOCK.subarray(0, paddingFor(size));
}

/** Header block(s) of one entry: a PAX `x` header and its data if needed, then the ustar header. */
export function encodeHeader(h: TarWriteHeader): Buffer {
  const size = h.type === 'file' ? (h.size ?? 0) : 0;
  const name = h.type === 'dir' && !h.name.endsWith('/') ? `${h.name}/` : h.name;
  const linkname = h.linkname ?? '';
  const uname = h.uname ?? '';
  const gname = h.gname ?? '';
  if (!Number.isSafeInteger(size) || size < 0)
    throw new ArchiveError(`invalid size ${size}`, { entry: h.name });
  for (const [k, v] of [
    ['uid', h.uid],
    ['gid', h.gid],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ArchiveError(`invalid ${k} ${v}`, { entry: h.name });
  }
  if (
    !Number.isSafeInteger(h.mtime.sec) ||
    !Number.isInteger(h.mtime.nsec) ||
    h.mtime.nsec < 0 ||
    h.mtime.nsec >= 1e9
  ) {
    throw new ArchiveError(`invalid mtime ${JSON.stringify(h.mtime)}`, { entry: h.name });
  }

  const pax = new Map<string, Buffer | string>();
  const block = Buffer.alloc(BLOCK);
  nameField(block, FIELD.name, name, 'path', pax, name.slice(-FIELD.name[1]));
  nameField(block, FIELD.linkname, linkname, 'linkpath', pax, linkname);
  for (const [key, value, field] of [
    ['uname', uname, FIELD.uname],
    ['gname', gname, FIELD.gname],
  ] as const) {
    if (fitsString(value, field[1])) writeString(block, field, value);
    else pax.set(key, value);
  }
  writeOctal(block, FIELD.mode, h.mode & 0o7777);
  for (const [key, value, field] of [
    ['uid', h.uid, FIELD.uid],
    ['gid', h.gid, FIELD.gid],
    ['size', size, FIELD.size],
  ] as const) {
    if (!writeOctal(block, field, value)) {
      pax.set(key, String(value));
      writeOctal(block, field, 0);
    }
  }
  if (h.mtime.nsec !== 0 || !writeOctal(block, FIELD.mtime, h.mtime.sec)) {
    pax.set('mtime', formatPaxTime(h.mtime));
    writeOctal(block, FIELD.mtime, Math.min(Math.max(h.mtime.sec, 0), octalMax(FIELD.mtime[1])));
  }
  const isDevice = h.type === 'char' || h.type === 'block';
  for (const [key, value, field] of [
    ['devmajor', isDevice ? (h.devmajor ?? 0) : 0, FIELD.devmajor],
    ['devminor', isDevice ? (h.devminor ?? 0) : 0, FIELD.devminor],
  ] as const) {
    if (!writeOctal(block, field, value)) {
      throw new ArchiveError(`device ${key} ${value} does not fit a tar header`, { entry: h.name });
    }
  }
  for (const [k, v] of Object.entries(h.xattrs ?? {})) pax.set(`SCHILY.xattr.${k}`, v);

  block.write(TYPEFLAG[h.type], 156, 1, 'latin1');
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  writeChecksum(block);
  if (pax.size === 0) return block;

  const records = Buffer.concat([...pax.keys()].sort().map((k) => formatPaxRecord(k, pax.get(k)!)));
  const paxHeader = Buffer.alloc(BLOCK);
  const trimmed = name.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const paxName = `${slash >= 0 ? `${trimmed.slice(0, slash)}/` : ''}PaxHeaders.0/${trimmed.slice(slash + 1)}`;
  writeString(paxHeader, FIELD.name, paxName.length > 100 ? paxName.slice(0, 100) : paxName);
  writeOctal(paxHeader, FIELD.mode, 0o644);
  writeOctal(paxHeader, FIELD.uid, 0);
  writeOctal(paxHeader, FIELD.gid, 0);
  writeOctal(paxHeader, FIELD.size, records.length);
  writeOctal(paxHeader, FIELD.mtime, 0);
  writeOctal(paxHeader, FIELD.devmajor, 0);
  writeOctal(paxHeader, FIELD.devminor, 0);
  paxHeader.write('x', 156, 1, 'latin1');
  paxHeader.write('ustar\0', 257, 6, 'latin1');
  paxHeader.write('00', 263, 2, 'latin1');
  writeChecksum(paxHeader);
  return Buffer.concat([paxHeader, records, tarPadding(records.length), block]);
}

/**
 * A path or link target: in the ustar field when it fits, else in a PAX
 * record with `fallback` (ASCII only) in the field. A name that is not UTF-8
 * (fs/byte-names.ts) is written as its bytes: raw in the field when they
 * fit (as GNU tar does), else in the record with `hdrcharset=BINARY`.
 */
function nameField(
  block: Buffer,
  field: readonly [number, number],
  value: string,
  key: 'path' | 'linkpath',
  pax: Map<string, Buffer | string>,
  fallback: string,
): void {
  if (fitsString(value, field[1])) {
    writeString(block, field, value);
    return;
  }
  if (hasRawBytes(value)) {
    const bytes = encodeName(value);
    if (bytes.length <= field[1] && !bytes.includes(0)) {
      bytes.copy(block, field[0]);
      return;
    }
    pax.set(key, bytes);
    pax.set('hdrcharset', 'BINARY');
  } else pax.set(key, value);
  writeString(block, field, fallback);
}

const COALESCE = 64 * 1024;
/** Body chunks at least this big pass through uncopied (unless transient). */
const PASS_THROUGH = COALESCE / 4;

/**
 * Accumulates small pieces in one 64 KiB slab and hands out full slabs: one
 * allocation per 64 KiB instead of a Buffer.concat over many small buffers
 * (allocation churn grew V8's young generation, and RSS with it).
 */
class Slab {
  private buf = Buffer.allocUnsafe(COALESCE);
  private off = 0;

  get length(): number {
    return this.off;
  }

  /** Copies `b` in; yields every slab that fills up. */
  *put(b: Uint8Array): Generator<Buffer> {
    let i = 0;
    while (i < b.length) {
      const n = Math.min(b.length - i, COALESCE - this.off);
      this.buf.set(b.subarray(i, i + n), this.off);
      this.off += n;
      i += n;
      if (this.off === COALESCE) yield this.take()!;
    }
  }

  *zeros(count: number): Generator<Buffer> {
    let left = count;
    while (left > 0) {
      const n = Math.min(left, COALESCE - this.off);
      this.buf.fill(0, this.off, this.off + n);
      this.off += n;
      left -= n;
      if (this.off === COALESCE) yield this.take()!;
    }
  }

  /** The filled part (a fresh slab replaces it); undefined when empty. */
  take(): Buffer | undefined {
    if (this.off === 0) return undefined;
    const out = this.buf.subarray(0, this.off);
    this.buf = Buffer.allocUnsafe(COALESCE);
    this.off = 0;
    return out;
  }
}

/**
 * The bytes of a whole archive, in chunks of about 64 KiB (small headers and
 * bodies are coalesced; big body chunks pass through). Throws if a body's
 * length differs from its header's size.
 */
export async function* tarChunks(
  entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>,
): AsyncGenerator<Buffer> {
  const slab = new Slab();
  for await (const entry of entries) {
    yield* slab.put(encodeHeader(entry.header));
    const size = entry.header.type === 'file' ? (entry.header.size ?? 0) : 0;
    if (entry.body !== undefined && entry.header.type === 'file') {
      const body = typeof entry.body === 'function' ? await entry.body() : entry.body;
      let written = 0;
      const chunks: AsyncIterable<Buffer | Uint8Array> | Buffer[] = Buffer.isBuffer(body) ? [body] : body;
      for await (const chunk of chunks) {
        written += chunk.length;
        if (written > size) {
          throw new ArchiveError(`body is longer than the ${size} bytes its header declares`, {
            entry: entry.header.name,
          });
        }
        if (chunk.length >= PASS_THROUGH && !entry.transient) {
          const f = slab.take();
          if (f) yield f;
          yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        } else yield* slab.put(chunk);
      }
      if (written !== size) {
        throw new ArchiveError(`body has ${written} bytes but its header declares ${size}`, {
          entry: entry.header.name,
        });
      }
    } else if (size !== 0) {
      throw new ArchiveError(`entry declares ${size} bytes but has no body`, { entry: entry.header.name });
    }
    yield* slab.zeros(paddingFor(size));
  }
  yield* slab.put(TAR_END);
  const last = slab.take();
  if (last) yield last;
}

/** A tar stream of the entries (see tarChunks). Errors destroy the stream. */
export function writeTar(entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false, highWaterMark: COALESCE });
}
