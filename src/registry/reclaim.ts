/**
 * Bounding memory while streaming big blobs. Every socket and file read
 * allocates a fresh buffer (64 KiB); spent ones are freed only when V8 next
 * collects the young generation. On Node 24 that comes late: a 1 GiB push
 * or pull left 40–65 MiB of dead buffers waiting (measured with
 * bench/registry-memory.ts), against 30 MiB on Node 20. A minor GC (a
 * scavenge, about 0.1 ms) every few MiB streamed keeps that small.
 */
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Told how many bytes went through; may reclaim memory. */
export interface MemoryReclaimer {
  add(bytes: number): void;
}

export const noReclaimer: MemoryReclaimer = { add() {} };

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;

/** gc() without starting Node with --expose-gc: exposed in a fresh context, then the flag is reset. */
function obtainGc(): GcFunction | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as GcFunction;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? (gc as GcFunction) : undefined;
  } catch {
    return undefined;
  }
}

/** A scavenge every `everyBytes` streamed (default 8 MiB); a no-op where gc() cannot be had. */
export function periodicMinorGc(everyBytes = 8 * 1024 * 1024): MemoryReclaimer {
  const gc = obtainGc();
  if (!gc) return noReclaimer;
  let since = 0;
  return {
    add(bytes) {
      since += bytes;
      if (since >= everyBytes) {
        since = 0;
        gc({ type: 'minor' });
      }
    },
  };
}

/** Passes a stream through, reporting each chunk to the reclaimer. */
export function reclaiming(source: Readable, reclaimer: MemoryReclaimer): Readable {
  if (reclaimer === noReclaimer) return source;
  const counter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      reclaimer.add(chunk.length);
      cb(null, chunk);
    },
  });
  return pipeline(source, counter, () => {}) as unknown as Readable;
}
