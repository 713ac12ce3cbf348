/**
 * Streaming tar reader: ustar, GNU (long names `L`/`K`, base-256 numbers) and
 * PAX (per-entry `x`, global `g`; path, linkpath, size, uid, gid, uname,
 * gname, mtime with sub-second precision, `SCHILY.xattr.*`). Memory stays
 * constant: bodies are handed out as slices of the incoming chunks, and an
 * entry's body must be consumed or skipped before the next entry (asking for
 * the next entry skips what is left of an idle body).
 */
import { Readable } from 'node:stream';
import { ByteSource, Truncated } from './byte-source.js';
import { TarFormatError, TarUnsupportedError } from './errors.js';
import {
  BLOCK,
  computeChecksum,
  FIELD,
  isZeroBlock,
  paddingFor,
  parseNumeric,
  parsePaxInteger,
  parsePaxRecords,
  parsePaxTime,
  parseString,
  type TarEntryType,
  type TarHeader,
} from './tar-format.js';

export interface TarEntry {
  readonly header: TarHeader;
  /** Offset of the entry's first block (its PAX/GNU headers included) in the archive. */
  readonly offset: number;
  /** The body as a Readable, made on first access. */
  readonly body: Readable;
  /** The body as zero-copy chunks; `header.size` bytes in all. */
  chunks(): AsyncIterable<Buffer>;
  /** The whole body in memory: only for entries known to be small. */
  buffer(): Promise<Buffer>;
  /** Skips what is left of the body. */
  skip(): Promise<void>;
}

export interface ReadTarOptions {
  /** Largest PAX or GNU long-name record accepted (default 1 MiB, as Go's archive/tar). */
  maxMetaSize?: number;
}

const HEADER_ONLY = new Set<TarEntryType>(['hardlink', 'symlink', 'char', 'block', 'dir', 'fifo']);
const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
  D: 'dir', // GNU dumpdir: a directory whose body lists its content
};

class EntryBody {
  private inflight: Promise<Buffer | null> | undefined;
  private started = false;
  private readableMade: Readable | undefined;

  constructor(
    private readonly src: ByteSource,
    public remaining: number,
    private readonly fail: (message: string) => never,
  ) {}

  private async read(): Promise<Buffer | null> {
    if (this.remaining === 0) return null;
    const chunk = await this.src.readSome(this.remaining);
    if (!chunk) this.fail(`archive ends inside the entry's data (${this.remaining} bytes missing)`);
    this.remaining -= chunk.length;
    return chunk;
  }

  next(): Promise<Buffer | null> {
    if (this.inflight) throw new Error('tar entry body read concurrently');
    const p = this.read().finally(() => {
      this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    if (this.started) throw new Error('tar entry body can be read only once');
    this.started = true;
    for (let c = await this.next(); c; c = await this.next()) yield c;
  }

  get readable(): Readable {
    this.readableMade ??= Readable.from(this.chunks(), { objectMode: false });
    return this.readableMade;
  }

  async skip(): Promise<void> {
    this.started = true;
    if (this.inflight) await this.inflight.catch(() => undefined);
    if (this.remaining > 0) {
      const n = this.remaining;
      this.remaining = 0;
      if (!(await this.src.skip(n))) this.fail(`archive ends inside the entry's data`);
    }
  }
}

function formatError(message: string, entry: string | undefined, offset: number, cause?: unknown): never {
  throw new TarFormatError(message, { entry, offset, cause });
}

/** Reads entries one at a time; see the module comment for the body contract. */
export async function* readTar(stream: Readable, options: ReadTarOptions = {}): AsyncGenerator<TarEntry> {
  const maxMeta = options.maxMetaSize ?? 1 << 20;
  const src = new ByteSource(stream);
  let global = new Map<string, Buffer>();
  let local: Map<string, Buffer> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let entryOffset = 0; // first block of the current entry, including its extension headers
  let body: EntryBody | undefined;
  let pad = 0;
  let finished = false;

  try {
    for (;;) {
      if (body) {
        await body.skip();
        if (!(await src.skip(pad))) formatError('archive ends inside padding', undefined, src.position);
        body = undefined;
      }
      const headerOffset = src.position;
      let block: Buffer | null;
      try {
        block = await src.readExact(BLOCK);
      } catch (e) {
        if (e instanceof Truncated)
          formatError('archive ends inside a header block', undefined, headerOffset);
        throw e;
      }
      if (block === null || isZeroBlock(block)) {
        if (local || longName !== undefined || longLink !== undefined) {
          formatError('archive ends after an extension header with no entry', undefined, entryOffset);
        }
        if (block !== null) {
          const second = await src.readExact(BLOCK).catch(() => null);
          if (second && !isZeroBlock(second)) {
            formatError('a zero block is followed by data (corrupt archive)', undefined, headerOffset);
          }
        }
        finished = true;
        await src.drain();
        return;
      }
      if (!local && longName === undefined && longLink === undefined) entryOffset = headerOffset;

      const rawName = parseString(block.subarray(FIELD.name[0], FIELD.name[0] + FIELD.name[1]));
      const fail = (message: string, cause?: unknown): never =>
        formatError(message, longName ?? rawName, headerOffset, cause);
      const num = (f: keyof typeof FIELD): number => {
        const [o, l] = FIELD[f];
        try {
          return parseNumeric(block.subarray(o, o + l));
        } catch (e) {
          return fail(`bad ${f} field: ${(e as Error).message}`);
        }
      };
      const str = (f: keyof typeof FIELD): string => {
        const [o, l] = FIELD[f];
        return parseString(block.subarray(o, o + l));
      };

      let stored: number;
      try {
        stored = parseNumeric(block.subarray(148, 156));
      } catch {
        return fail('header checksum field is not a number: not a tar archive, or corrupt');
      }
      const sums = computeChecksum(block);
      if (stored !== sums.unsigned && stored !== sums.signed) {
        fail(
          `header checksum mismatch (stored ${stored}, computed ${sums.unsigned}): not a tar archive or corrupt`,
        );
      }
      const typeflag = String.fromCharCode(block[156]!);
      const rawSize = num('size');

      // Extension headers: read their data and go on to the entry they describe.
      if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
        if (rawSize > maxMeta) fail(`extension header of ${rawSize} bytes exceeds the ${maxMeta}-byte limit`);
        let data: Buffer | null;
        try {
          data = await src.readExact(rawSize);
        } catch (e) {
          if (e instanceof Truncated) fail('archive ends inside an extension header');
          throw e;
        }
        if (!(await src.skip(paddingFor(rawSize)))) fail('archive ends inside padding');
        data ??= Buffer.alloc(0);
        if (typeflag === 'L') longName = parseString(data);
        else if (typeflag === 'K') longLink = parseString(data);
        else {
          let records: Map<string, Buffer>;
          try {
            records = parsePaxRecords(data);
          } catch (e) {
            return fail(`bad PAX header: ${(e as Error).message}`);
          }
          if (typeflag === 'g') global = merge(global, records);
          else local = new Map([...(local ?? []), ...records]); // empties kept: they unset globals
        }
        continue;
      }

      const type = TYPES[typeflag];
      if (!type) {
        const what =
          typeflag === 'S' ? 'GNU sparse files are' : typeflag === 'M' ? 'multi-volume archives are' : null;
        throw new TarUnsupportedError(
          what ? `${what} not supported` : `unknown entry type ${JSON.stringify(typeflag)}`,
          { entry: longName ?? rawName, offset: headerOffset },
        );
      }

      const pax = local ? merge(global, local) : global;
      for (const key of pax.keys()) {
        if (key.startsWith('GNU.sparse.')) {
          throw new TarUnsupportedError('PAX sparse files are not supported', {
            entry: rawName,
            offset: headerOffset,
          });
        }
      }
      const paxText = (k: string) => {
        const v = pax.get(k);
        return v === undefined ? undefined : v.toString('utf8');
      };
      const paxNum = (k: string, fallback: () => number) => {
        const v = paxText(k);
        if (v === undefined) return fallback();
        try {
          return parsePaxInteger(v);
        } catch (e) {
          return fail(`bad PAX ${k}: ${(e as Error).message}`);
        }
      };

      // Name: PAX path, else GNU long name, else ustar prefix + name.
      const magic = block.toString('latin1', 257, 263);
      const version = block.toString('latin1', 263, 265);
      let name = rawName;
      if (magic === 'ustar\0' && version === '00') {
        const star = block.toString('latin1', 508, 512) === 'tar\0';
        const prefix = parseString(block.subarray(345, star ? 476 : 500));
        if (prefix) name = `${prefix}/${rawName}`;
      }
      name = paxText('path') ?? longName ?? name;
      const linkname = paxText('linkpath') ?? longLink ?? str('linkname');

      let finalType = type;
      if (typeflag === '\0' && name.endsWith('/')) finalType = 'dir';
      const size = HEADER_ONLY.has(finalType) || typeflag === 'D' ? 0 : paxNum('size', () => rawSize);
      const bodyBytes = typeflag === 'D' ? paxNum('size', () => rawSize) : size;

      let mtime = { sec: num('mtime'), nsec: 0 };
      const paxMtime = paxText('mtime');
      if (paxMtime !== undefined) {
        try {
          mtime = parsePaxTime(paxMtime);
        } catch (e) {
          fail(`bad PAX mtime: ${(e as Error).message}`);
        }
      }

      const xattrs: Record<string, Buffer> = {};
      for (const [k, v] of pax) {
        if (k.startsWith('LIBARCHIVE.xattr.')) {
          try {
            xattrs[decodeURIComponent(k.slice(17))] = Buffer.from(v.toString('latin1'), 'base64');
          } catch {
            fail(`bad PAX record ${k}`);
          }
        }
      }
      for (const [k, v] of pax) if (k.startsWith('SCHILY.xattr.')) xattrs[k.slice(13)] = Buffer.from(v);

      const isDevice = finalType === 'char' || finalType === 'block';
      const header: TarHeader = {
        name,
        type: finalType,
        mode: num('mode') & 0o7777,
        uid: paxNum('uid', () => num('uid')),
        gid: paxNum('gid', () => num('gid')),
        uname: paxText('uname') ?? str('uname'),
        gname: paxText('gname') ?? str('gname'),
        size,
        mtime,
        linkname,
        devmajor: isDevice ? num('devmajor') : 0,
        devminor: isDevice ? num('devminor') : 0,
        xattrs,
      };
      if (!name) fail('entry has an empty name');

      local = undefined;
      longName = undefined;
      longLink = undefined;
      body = new EntryBody(src, bodyBytes, (m) => formatError(m, name, headerOffset));
      pad = paddingFor(bodyBytes);
      const b = body;
      const entry: TarEntry = {
        header,
        offset: entryOffset,
        get body() {
          return b.readable;
        },
        chunks: () => b.chunks(),
        buffer: async () => {
          const parts: Buffer[] = [];
          for await (const c of b.chunks()) parts.push(c);
          return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        },
        skip: () => b.skip(),
      };
      if (typeflag === 'D') await b.skip();
      yield entry;
    }
  } finally {
    if (!finished) await src.close().catch(() => undefined);
  }
}

/** PAX precedence: later records win; an empty value removes the key. */
function merge(base: Map<string, Buffer>, over: Map<string, Buffer>): Map<string, Buffer> {
  const out = new Map(base);
  for (const [k, v] of over) {
    if (v.length === 0) out.delete(k);
    else out.set(k, v);
  }
  return out;
}
