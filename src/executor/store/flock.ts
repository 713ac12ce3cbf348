/**
 * File locks held by a small helper process: util-linux `flock FILE sh -c
 * 'echo; exec cat'` takes the lock, says so on stdout, and keeps it until
 * its stdin closes. Kiln holds the other end of that pipe, so the kernel
 * releases the lock whenever Kiln ends — however it ends (a crash or
 * SIGKILL included): there is no stale lock to detect or break.
 *
 *   const lock = await waitForLock(file);     // or tryLock(file): undefined when busy
 *   …
 *   await lock.release();
 *
 * Node has no flock(2); a helper per lock costs one spawn (~5 ms), and the
 * store takes locks only for work that costs far more (an extraction).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CLEAN_ENV, findBinary } from '../isolation/host-tools.js';

export class LockError extends Error {
  override name = 'LockError';
}

export interface HeldLock {
  readonly file: string;
  /** Releases the lock (ends the helper). Never rejects. */
  release(): Promise<void>;
}

let flockPath: Promise<string | undefined> | undefined;

/** The flock program, or undefined (package util-linux). */
export function findFlock(): Promise<string | undefined> {
  flockPath ??= findBinary('flock');
  return flockPath;
}

/** Takes an exclusive lock on `file` (created when missing), waiting while another process holds it. */
export async function waitForLock(file: string, timeoutSeconds?: number): Promise<HeldLock> {
  const lock = await takeLock(
    file,
    timeoutSeconds === undefined ? ['-x'] : ['-x', '-w', String(timeoutSeconds)],
  );
  if (!lock) throw new LockError(`waited ${timeoutSeconds} s for the lock ${file}; another build holds it`);
  return lock;
}

/** Takes an exclusive lock on `file` (created when missing) if nobody holds it; else undefined. */
export function tryLock(file: string): Promise<HeldLock | undefined> {
  return takeLock(file, ['-x', '-n']);
}

async function takeLock(file: string, mode: string[]): Promise<HeldLock | undefined> {
  const flock = await findFlock();
  if (!flock) throw new LockError('the "flock" program was not found (install util-linux)');
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    flock,
    [...mode, file, '/bin/sh', '-c', 'echo locked; exec cat >/dev/null'],
    { stdio: ['pipe', 'pipe', 'pipe'], env: CLEAN_ENV },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  const locked = await new Promise<boolean>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('locked\n')) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  if (!locked) {
    const code = await exited;
    // flock exits 1 when -n finds the lock held, and when -w times out.
    if (code === 1) return undefined;
    throw new LockError(
      `flock ${file} failed${stderr.trim() ? `: ${stderr.trim()}` : ` (exit code ${code})`}`,
    );
  }
  // While held, the helper must not keep Kiln alive (the pipe still ends with the process);
  // while it is being released, it must (or Kiln could exit in the middle of its cleanup).
  const handles = [child, child.stdin, child.stdout, child.stderr] as unknown as {
    ref?: () => void;
    unref?: () => void;
  }[];
  for (const h of handles) h.unref?.();
  let released: Promise<void> | undefined;
  return {
    file,
    release() {
      released ??= (async () => {
        for (const h of handles) h.ref?.();
        child.stdin.end();
        await exited;
      })();
      return released;
    },
  };
}
