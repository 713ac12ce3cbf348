/**
 * Layer compression streams. gzip through node:zlib on every core
 * (parallel-gzip.ts); zstd through node:zlib
 * when the running Node has it (22.15+/24), else through the `zstd` program;
 * 'none' is a pass-through.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { Duplex, PassThrough, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { findExecutable } from '../executable.js';
import { ParallelGzip } from './parallel-gzip.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** gzip -6 and zstd -3: the defaults of the gzip and zstd programs (and of BuildKit). */
export const DEFAULT_LEVEL = { gzip: 6, zstd: 3 } as const;

/**
 * zlib output chunk size. zlib's default (16 KiB) means many small chunks
 * crossing the thread pool; 128 KiB measured faster (see bench/layer-rss.ts).
 */
export const ZLIB_CHUNK = 128 * 1024;

/** The zstd part of node:zlib, absent from Node 20's typings and runtime. */
interface ZstdZlib {
  createZstdCompress?: (opts?: { chunkSize?: number; params?: Record<number, number> }) => Transform;
  createZstdDecompress?: (opts?: { chunkSize?: number }) => Transform;
  constants: { ZSTD_c_compressionLevel?: number };
}
const zstdZlib = zlib as unknown as ZstdZlib;

export class CompressionError extends Error {
  override name = 'CompressionError';
}

/** True when this Node compresses and decompresses zstd itself. */
export function hasNativeZstd(): boolean {
  return (
    typeof zstdZlib.createZstdCompress === 'function' && typeof zstdZlib.createZstdDecompress === 'function'
  );
}

export function createCompressor(kind: Compression, level?: number): Duplex {
  switch (kind) {
    case 'gzip':
      return new ParallelGzip({ level: level ?? DEFAULT_LEVEL.gzip });
    case 'zstd': {
      const lvl = level ?? DEFAULT_LEVEL.zstd;
      if (hasNativeZstd()) {
        const key = zstdZlib.constants.ZSTD_c_compressionLevel ?? 100;
        return zstdZlib.createZstdCompress!({ chunkSize: ZLIB_CHUNK, params: { [key]: lvl } });
      }
      return programFilter('zstd', ['-q', '-c', `-${lvl}`], ZSTD_HINT);
    }
    case 'none':
      return new PassThrough({ highWaterMark: 1 << 20 });
    default:
      return unknownCompression(kind);
  }
}

/**
 * gunzip settings for big streams (pulled and stored layers). Each inflate
 * step runs on the thread pool and needs the main thread to start the next;
 * with zlib's 16 KiB default output a 190 MiB layer took ~12,000 round trips
 * (1.8 s of CPU on top of 0.8 s of inflating) and the pool sat idle while
 * extraction kept the main thread busy. 1 MiB steps fed 1 MiB of input
 * (coalesce()) and an 8 MiB read-ahead let inflation run on another core
 * while the main thread writes files.
 */
export const INFLATE_OPTIONS = {
  chunkSize: 1 << 20,
  readableHighWaterMark: 8 << 20,
} as zlib.ZlibOptions;

/** Regroups a byte stream into chunks of at least `size` bytes (the last may be smaller). */
export function coalesce(size = 1 << 20): Transform {
  let parts: Buffer[] = [];
  let bytes = 0;
  return new Transform({
    highWaterMark: size,
    transform(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      bytes += chunk.length;
      if (bytes < size) return cb();
      const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes);
      parts = [];
      bytes = 0;
      cb(null, out);
    },
    flush(cb) {
      if (bytes > 0) this.push(parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes));
      parts = [];
      bytes = 0;
      cb();
    },
  });
}

export function createDecompressor(kind: Compression): Duplex {
  switch (kind) {
    case 'gzip':
      return zlib.createGunzip(INFLATE_OPTIONS);
    case 'zstd':
      if (hasNativeZstd()) return zstdZlib.createZstdDecompress!({ chunkSize: ZLIB_CHUNK });
      return programFilter('zstd', ['-q', '-d', '-c'], ZSTD_HINT);
    case 'none':
      return new PassThrough({ highWaterMark: 1 << 20 });
    default:
      return unknownCompression(kind);
  }
}

function unknownCompression(kind: never): never {
  throw new CompressionError(`unknown compression "${String(kind)}": use gzip, zstd or none`);
}

const ZSTD_HINT =
  'zstd layers need Node 22.15+ (node:zlib zstd) or the zstd program: install zstd (apt-get install zstd) or run on Node 24';

/** Why zstd cannot be written here (with the fix), or undefined when it can. */
export async function zstdUnavailable(): Promise<string | undefined> {
  if (hasNativeZstd()) return undefined;
  // programFilter() spawns `zstd` through this process's PATH.
  return (await findExecutable('zstd', (process.env.PATH ?? '').split(':'))) ? undefined : ZSTD_HINT;
}

/**
 * A program as a Duplex: bytes written go to its stdin, its stdout is read.
 * The readable side ends only after the program exited with status 0; any
 * other exit destroys the stream with an error carrying the program's
 * stderr; a missing program errors with `missingHint`.
 */
export function programFilter(cmd: string, args: string[], missingHint?: string): Duplex {
  return new ChildFilter(cmd, args, missingHint);
}

class ChildFilter extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private stdinError: Error | undefined;
  private exited = false;
  private inputEnded = false;

  constructor(cmd: string, args: string[], missingHint: string | undefined) {
    super({ readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const { child } = this;
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += d.toString();
    });
    child.stdin.on('error', (e) => {
      // EPIPE when the program died early: the exit status tells why.
      this.stdinError = e;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      this.exited = true;
      this.destroy(
        e.code === 'ENOENT'
          ? new CompressionError(`"${cmd}" is not on PATH${missingHint ? `: ${missingHint}` : ''}`)
          : e,
      );
    });
    child.on('close', (code, signal) => {
      this.exited = true;
      // A filter must read to EOF, which it only sees after _final: an exit
      // before that means it left input unread, whatever its status.
      if (code === 0 && this.inputEnded && !this.stdinError) {
        this.push(null);
        return;
      }
      const why =
        code === 0
          ? 'it exited before reading all its input'
          : this.stderr.trim() || this.stdinError?.message || 'no message';
      this.destroy(
        new CompressionError(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${why}`),
      );
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.stdinError) {
      // The program stopped reading: drop the rest; its exit status decides.
      cb();
      return;
    }
    if (this.child.stdin.write(chunk)) {
      cb();
      return;
    }
    const onDrain = () => {
      this.child.stdin.off('close', onDrain);
      cb();
    };
    this.child.stdin.once('drain', onDrain);
    // A stdin closed under us (program died) never drains; the exit handler reports.
    this.child.stdin.once('close', onDrain);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.inputEnded = true;
    this.child.stdin.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.exited) this.child.kill('SIGKILL');
    cb(err);
  }
}
