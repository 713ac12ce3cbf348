/**
 * File names as Linux keeps them: bytes, not necessarily UTF-8. Kiln carries
 * names as strings; a name that is not valid UTF-8 is decoded losslessly
 * (Python's "surrogateescape", PEP 383): each byte that is not part of a
 * valid UTF-8 sequence becomes the lone surrogate U+DC80–U+DCFF. Such a
 * string turns back into exactly its bytes (encodeName), and osPath() gives
 * the fs calls a Buffer path for it. Valid UTF-8 names are ordinary strings
 * and cost nothing extra; no valid name decodes to a lone surrogate, so the
 * mapping is one to one.
 */

import { isUtf8 } from 'node:buffer';
import { readdirSync, readlinkSync } from 'node:fs';

const RAW_BYTE = /[\u{DC80}-\u{DCFF}]/u;
const RAW_BYTES = /[\u{DC80}-\u{DCFF}]+/gu;

/** True when the string carries bytes that are not UTF-8 (escaped by decodeName). */
export function hasRawBytes(s: string): boolean {
  return RAW_BYTE.test(s);
}

/** Length of the UTF-8 sequence starting at b[i] when it is valid (strict: no overlongs, no surrogates), else 0. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1]!;
    if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c === 0xed && c1 >= 0xa0) return 0; // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1]!;
    if (c === 0xf0 && c1 < 0x90) return 0; // overlong
    if (c === 0xf4 && c1 >= 0x90) return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

/** The name these bytes spell (see the module comment). */
export function decodeName(b: Buffer): string {
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  let start = 0;
  for (let i = 0; i < b.length; ) {
    const n = sequenceLength(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += b.toString('utf8', start, i) + String.fromCharCode(0xdc00 + b[i]!);
    i++;
    start = i;
  }
  return out + b.toString('utf8', start);
}

/** The bytes of a name (decodeName's inverse; plain UTF-8 for ordinary strings). */
export function encodeName(s: string): Buffer {
  if (!hasRawBytes(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of s.matchAll(RAW_BYTES)) {
    parts.push(Buffer.from(s.slice(last, m.index), 'utf8'));
    parts.push(Buffer.from([...m[0]].map((ch) => ch.charCodeAt(0) - 0xdc00)));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(s.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/** A path for node:fs: the string itself, or its bytes when it carries raw bytes. */
export function osPath(s: string): string | Buffer {
  return hasRawBytes(s) ? encodeName(s) : s;
}

/** The names in a directory, byte-exact. */
export function readdirNames(dir: string): string[] {
  return readdirSync(osPath(dir), { encoding: 'buffer' }).map(decodeName);
}

/** A symlink's target, byte-exact. */
export function readlinkName(p: string): string {
  return decodeName(readlinkSync(osPath(p), { encoding: 'buffer' }));
}

/** Byte order of names (BuildKit and tar sort this way), not UTF-16 order. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(encodeName(a), encodeName(b));
}
