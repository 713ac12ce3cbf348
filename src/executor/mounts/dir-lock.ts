/**
 * A mutex between processes on one machine: a directory made with mkdir
 * (atomic) holding the owner's pid. A lock whose owner is gone (killed
 * build) is taken over. Held for short critical sections only.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Whether process `pid` exists (on this machine's PID namespace). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn` holding the lock directory `dir`. */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const owner = path.join(dir, 'owner');
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(dir);
      await writeFile(owner, String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number(await readFile(owner, 'utf8').catch(() => ''));
    // A lock without an owner file is being taken (or its taker died between the two calls).
    if ((pid > 0 && !processAlive(pid)) || (!pid && attempt > 100)) {
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    await sleep(Math.min(5 + attempt, 50), signal);
  }
  try {
    return await fn();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
