/**
 * Ending a file write that failed. A write stream destroyed before its open()
 * finished still creates the file afterwards, so removing a partial file
 * right after a failed pipeline can leave it behind; wait for the stream to
 * close first.
 */
import type { WriteStream } from 'node:fs';

/** Destroys `s` (if it is not already) and resolves once it has closed. Never rejects. */
export function discardStream(s: WriteStream): Promise<void> {
  if (s.closed) return Promise.resolve();
  const done = new Promise<void>((resolve) => s.once('close', () => resolve()));
  s.destroy();
  return done;
}
