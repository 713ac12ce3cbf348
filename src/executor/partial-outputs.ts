/**
 * Outputs are never left half-written: while the image is written to the
 * OCI layout and tar paths the user asked for, a failure removes what this
 * build created there (an OCI layout directory that did not exist before,
 * the tar's temporary files), and an interrupted build leaves that removal
 * to the exit (the writers may still be running until the process ends).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BuildOptions } from './options.js';
import type { BuildSession } from './session.js';

/** What a failed or interrupted write leaves: removed synchronously. Never throws. */
function removePartial(newLayout: string | undefined, tarPath: string | undefined): void {
  if (newLayout) rmSync(newLayout, { recursive: true, force: true });
  if (tarPath) {
    const dir = path.dirname(tarPath);
    const prefix = `${path.basename(tarPath)}.tmp-`;
    try {
      for (const name of readdirSync(dir)) {
        if (name.startsWith(prefix)) rmSync(path.join(dir, name), { force: true });
      }
    } catch {
      // the directory is gone: nothing left
    }
  }
}

/** Rejects with the signal's reason once it is aborted. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Runs `write` (the outputs of the build) so that nothing partial survives it. */
export async function guardOutputs<T>(
  session: BuildSession,
  options: Pick<BuildOptions, 'ociLayoutPath' | 'tarPath'>,
  write: () => Promise<T>,
): Promise<T> {
  const newLayout =
    options.ociLayoutPath && !existsSync(options.ociLayoutPath) ? options.ociLayoutPath : undefined;
  const cleanup = () => removePartial(newLayout, options.tarPath);
  const unregister = session.onExit(cleanup);
  const writing = write();
  try {
    const out = await Promise.race([writing, aborted(session.signal)]);
    unregister();
    return out;
  } catch (e) {
    if (!session.signal.aborted) {
      // The writers have stopped: remove now.
      cleanup();
      unregister();
    }
    // Interrupted: the writers may still run; the exit removes what they leave.
    writing.catch(() => undefined);
    throw e;
  }
}
