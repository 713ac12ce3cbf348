/**
 * ADD's local archives: a tar, or a tar compressed with gzip, bzip2, xz or
 * zstd, is unpacked into the destination (Docker detects it by content, not
 * by name); anything else is copied as a file. Unpacking goes through the
 * same safe extraction as image layers, into a staging directory first.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { extractLayer } from '../../archive/extract.js';
import { checksumMatches } from '../../archive/tar-format.js';
import type { XattrAccess } from '../../archive/xattr.js';
import { createDecompressor, programFilter } from '../../image/compression.js';
import { pipeTo } from '../../image/verify.js';

export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const PEEK = 1024;

function magic(buf: Buffer): Exclude<ArchiveKind, 'tar'> | undefined {
  if (buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
  if (buf.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (buf.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (buf.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  return undefined;
}

function decompressor(kind: Exclude<ArchiveKind, 'tar'>) {
  switch (kind) {
    case 'gzip':
    case 'zstd':
      return createDecompressor(kind);
    case 'bzip2':
      return programFilter('bzip2', ['-d', '-c'], 'install bzip2 to ADD .bz2 archives');
    case 'xz':
      return programFilter('xz', ['-d', '-c'], 'install xz-utils to ADD .xz archives');
  }
}

async function readHead(stream: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    chunks.push(c as Buffer);
    size += (c as Buffer).length;
    if (size >= n) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, n);
}

/** What ADD should do with a local file: unpack it as this kind of archive, or copy it (undefined). */
export async function detectArchive(file: string): Promise<ArchiveKind | undefined> {
  const head = await readHead(fs.createReadStream(file, { end: PEEK - 1 }), PEEK);
  const kind = magic(head);
  if (!kind) return checksumMatches(head) ? 'tar' : undefined;
  try {
    const inner = await readHead(fs.createReadStream(file).pipe(decompressor(kind)), 512);
    return checksumMatches(inner) ? kind : undefined;
  } catch {
    return undefined;
  }
}

/** Unpacks `file` (a detected archive) into the empty directory `into`. */
export async function unpackArchive(
  file: string,
  kind: ArchiveKind,
  into: string,
  xattrs: XattrAccess | undefined,
): Promise<void> {
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  if (kind === 'tar') {
    await extractLayer(raw, into, { xattrs });
    return;
  }
  await extractLayer(pipeTo(raw, decompressor(kind)), into, { xattrs });
}
