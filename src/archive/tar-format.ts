/**
 * The tar format at the block level: ustar/GNU header fields, numbers (octal
 * and base-256), checksums and PAX records. Shared by the reader and the
 * writer; no I/O here.
 */

export const BLOCK = 512;

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

/** A point in time with nanosecond precision (seconds since the epoch may be negative). */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** The header of one tar entry after PAX and GNU extensions are applied. */
export interface TarHeader {
  /** The name as in the archive (directories usually end in `/`). */
  name: string;
  type: TarEntryType;
  /** Permission bits including setuid, setgid and sticky (`& 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Bytes of data that follow (0 for every type but 'file'). */
  size: number;
  mtime: Timespec;
  /** Target of a hardlink (an archive path) or a symlink (verbatim). */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from `SCHILY.xattr.<name>` records, raw values. */
  xattrs: Record<string, Buffer>;
}

/** Typeflag bytes. */
export const TYPEFLAG: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export const ZERO_BLOCK: Buffer = Buffer.alloc(BLOCK);

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

export function paddingFor(size: number): number {
  const rem = size % BLOCK;
  return rem === 0 ? 0 : BLOCK - rem;
}

// ---------------------------------------------------------------- numbers

/** Largest value an octal field of `len` bytes holds with its terminating NUL. */
export function octalMax(len: number): number {
  return 8 ** (len - 1) - 1;
}

/**
 * A numeric field: octal (space/NUL padded), or base-256 when the first byte
 * has its high bit set (GNU/star). Throws a message (the caller adds context).
 */
export function parseNumeric(field: Buffer): number {
  return parseNumericAt(field, 0, field.length);
}

/** parseNumeric of the `len` bytes at `off` (no subarray: the reader calls this eight times per header). */
export function parseNumericAt(buf: Buffer, off: number, len: number): number {
  const limit = off + len;
  if (len > 0 && (buf[off]! & 0x80) !== 0) {
    const negative = (buf[off]! & 0x40) !== 0;
    let v = BigInt(buf[off]! & 0x7f);
    if (negative) v = BigInt(buf[off]!) | ~0xffn; // sign-extend the first byte
    for (let i = off + 1; i < limit; i++) v = (v << 8n) | BigInt(buf[i]!);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new Error(`base-256 number ${v} is out of range`);
    }
    return Number(v);
  }
  let start = off;
  let end = limit;
  while (start < end && (buf[start] === 0x20 || buf[start] === 0)) start++;
  // Stop at the first NUL: GNU fills the rest of short fields with garbage in old archives.
  for (let i = start; i < end; i++) {
    if (buf[i] === 0) {
      end = i;
      break;
    }
  }
  while (end > start && buf[end - 1] === 0x20) end--;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x37)
      throw new Error(`invalid octal number ${JSON.stringify(buf.toString('latin1', off, limit))}`);
    v = v * 8 + (c - 0x30);
  }
  if (!Number.isSafeInteger(v)) throw new Error('octal number is out of range');
  return v;
}

/** Writes `value` as zero-padded octal with a trailing NUL; false if it does not fit. */
export function writeOctal(block: Buffer, [off, len]: readonly [number, number], value: number): boolean {
  if (!Number.isInteger(value) || value < 0 || value > octalMax(len)) return false;
  block.write(value.toString(8).padStart(len - 1, '0'), off, len - 1, 'latin1');
  block[off + len - 1] = 0;
  return true;
}

/** Writes `value` in GNU base-256 (for readers of archives made by tests or huge numbers). */
export function writeBase256(block: Buffer, [off, len]: readonly [number, number], value: number): void {
  let v = BigInt(value);
  for (let i = off + len - 1; i > off; i--) {
    block[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[off] = value < 0 ? 0xff : 0x80;
}

// ---------------------------------------------------------------- strings

/** A NUL-terminated string field, decoded as UTF-8. */
export function parseString(field: Buffer): string {
  return parseStringAt(field, 0, field.length);
}

/** parseString of the `len` bytes at `off`. */
export function parseStringAt(buf: Buffer, off: number, len: number): string {
  let end = off;
  const limit = off + len;
  while (end < limit && buf[end] !== 0) end++;
  return end === off ? '' : buf.toString('utf8', off, end);
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** True if `s` fits a string field of `len` bytes as-is (ASCII, no NUL). */
export function fitsString(s: string, len: number): boolean {
  return s.length <= len && isAscii(s) && !s.includes('\0');
}

/** Writes an ASCII rendering of `s` truncated to the field (used when PAX carries the real value). */
export function writeString(block: Buffer, [off, len]: readonly [number, number], s: string): void {
  const ascii = isAscii(s) && !s.includes('\0') ? s : s.replace(/[^\x01-\x7f]/g, '');
  block.write(ascii.slice(0, len), off, len, 'latin1');
}

// ---------------------------------------------------------------- checksum

export function computeChecksum(block: Buffer): { unsigned: number; signed: number } {
  // The checksum field counts as eight spaces.
  let unsigned = 8 * 0x20;
  let high = 0; // bytes > 127, for the signed variant some old tars used
  for (let i = 0; i < BLOCK; i++) {
    if (i === 148) i = 156;
    const b = block[i]!;
    unsigned += b;
    if (b > 127) high++;
  }
  return { unsigned, signed: unsigned - 256 * high };
}

/** Whether the checksum field holds `stored`: the unsigned sum, or the signed one old tars wrote. */
export function checksumIs(block: Buffer, stored: number): boolean {
  let unsigned = 8 * 0x20;
  let high = 0;
  for (let i = 0; i < 148; i++) {
    const b = block[i]!;
    unsigned += b;
    if (b > 127) high++;
  }
  for (let i = 156; i < BLOCK; i++) {
    const b = block[i]!;
    unsigned += b;
    if (b > 127) high++;
  }
  return stored === unsigned || stored === unsigned - 256 * high;
}

/** Whether `block` is a tar header: its checksum field matches (unsigned, or the old signed sum). */
export function checksumMatches(block: Buffer): boolean {
  if (block.length < BLOCK) return false;
  let stored: number;
  try {
    stored = parseNumeric(block.subarray(148, 156));
  } catch {
    return false;
  }
  return checksumIs(block, stored);
}

/** Fills the checksum field (`%06o\0 `, as GNU tar and Go write it). */
export function writeChecksum(block: Buffer): void {
  const { unsigned } = computeChecksum(block);
  block.write(unsigned.toString(8).padStart(6, '0'), 148, 6, 'latin1');
  block[154] = 0;
  block[155] = 0x20;
}

// ---------------------------------------------------------------- PAX records

/** Parses `<len> <key>=<value>\n` records; values stay raw (xattr values are binary). */
export function parsePaxRecords(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    // GNU tar pads some PAX data with NULs at the end.
    if (data[pos] === 0) {
      for (let i = pos; i < data.length; i++) if (data[i] !== 0) throw new Error('garbage after PAX records');
      break;
    }
    const space = data.indexOf(0x20, pos);
    if (space < 0 || space - pos > 20) throw new Error('malformed PAX record length');
    const lenText = data.toString('latin1', pos, space);
    if (!/^[1-9][0-9]*$/.test(lenText))
      throw new Error(`malformed PAX record length ${JSON.stringify(lenText)}`);
    const len = Number(lenText);
    const end = pos + len;
    if (end > data.length || data[end - 1] !== 0x0a) throw new Error('PAX record overruns its header');
    const eq = data.indexOf(0x3d, space + 1);
    if (eq < 0 || eq >= end - 1 || eq === space + 1) throw new Error('malformed PAX record (no key)');
    const key = data.toString('utf8', space + 1, eq);
    out.set(key, data.subarray(eq + 1, end - 1));
    pos = end;
  }
  return out;
}

/** One PAX record; its length prefix counts itself. */
export function formatPaxRecord(key: string, value: Buffer | string): Buffer {
  const k = Buffer.from(key, 'utf8');
  const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const base = k.length + v.length + 3; // ' ', '=', '\n'
  let len = base + String(base).length;
  if (String(len).length !== String(base).length) len = base + String(len).length;
  return Buffer.concat([Buffer.from(`${len} `, 'latin1'), k, Buffer.from('='), v, Buffer.from('\n')]);
}

/** PAX time: `sec[.fraction]`, fraction with trailing zeros dropped. */
export function formatPaxTime(t: Timespec): string {
  if (t.nsec === 0) return String(t.sec);
  // Negative times with a fraction: -1.5 means sec=-2, nsec=5e8.
  let sec = t.sec;
  let nsec = t.nsec;
  let sign = '';
  if (sec < 0) {
    sign = '-';
    sec = -(sec + 1);
    nsec = 1e9 - nsec;
  }
  return `${sign}${sec}.${String(nsec).padStart(9, '0').replace(/0+$/, '')}`;
}

export function parsePaxTime(text: string): Timespec {
  const m = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(text);
  if (!m) throw new Error(`invalid PAX time ${JSON.stringify(text)}`);
  const whole = Number(m[2]);
  const frac = Number((m[3] ?? '').slice(0, 9).padEnd(9, '0'));
  if (!Number.isSafeInteger(whole)) throw new Error(`PAX time ${text} is out of range`);
  if (m[1] === '-') return frac === 0 ? { sec: -whole, nsec: 0 } : { sec: -whole - 1, nsec: 1e9 - frac };
  return { sec: whole, nsec: frac };
}

export function parsePaxInteger(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new Error(`invalid PAX number ${JSON.stringify(text)}`);
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw new Error(`PAX number ${text} is out of range`);
  return v;
}
