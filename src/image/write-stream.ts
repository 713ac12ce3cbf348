/**
 * Writing a file through a temporary name, renamed into place only when the
 * write succeeded. A write stream destroyed before its open() finished still
 * creates the file afterwards, so a failed write waits for the stream to
 * close before it removes the partial file.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { explainWrite } from '../fs/disk-full.js';

/** Read and write buffer size for layer and blob files. */
export const FILE_CHUNK = 1 << 20;

/** Destroys `s` (if it is not already) and resolves once it has closed. Never rejects. */
export function discardStream(s: WriteStream): Promise<void> {
  if (s.closed) return Promise.resolve();
  const done = new Promise<void>((resolve) => s.once('close', () => resolve()));
  s.destroy();
  return done;
}

/**
 * `fill` writes and ends a stream to `tmp`; then `tmp` becomes `file`. On any
 * failure the stream is discarded, `tmp` removed, and the error rethrown (a
 * full disk as a DiskFullError naming the filesystem and `file`).
 */
export async function writeViaTemp(
  file: string,
  tmp: string,
  fill: (out: WriteStream) => Promise<void>,
): Promise<void> {
  const out = createWriteStream(tmp, { highWaterMark: FILE_CHUNK });
  try {
    await fill(out);
    await rename(tmp, file);
  } catch (e) {
    await discardStream(out);
    await rm(tmp, { force: true });
    throw explainWrite(e, file);
  }
}
