/**
 * A full disk (ENOSPC) or an exhausted quota (EDQUOT) named as such: which
 * filesystem (its device and mount point, from /proc/self/mountinfo) and
 * which file was being written, instead of a bare "ENOSPC: write". Every
 * write path of a build (layers, the cache directory, OCI layout and docker
 * archive outputs, extraction, COPY) passes its errors through explainWrite.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export class DiskFullError extends Error {
  override name = 'DiskFullError';
  constructor(
    /** The file (or directory) being written. */
    readonly path: string,
    /** The filesystem's source (`/dev/sda1`, `tmpfs`, `overlay`). */
    readonly device: string,
    readonly mountPoint: string,
    readonly quota: boolean,
    options?: { cause?: unknown },
  ) {
    super(
      `${quota ? 'disk quota exceeded' : 'no space left'} on ${device} (mounted at ${mountPoint}) writing ${path}: free space there, or have Kiln write elsewhere`,
      options,
    );
  }
}

function errnoOf(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** ENOSPC or EDQUOT, anywhere in the cause chain. */
export function isDiskFull(e: unknown): boolean {
  return errnoOf(e) !== undefined;
}

/** Unescapes mountinfo's octal escapes (`\040` for a space). */
function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** The mount holding `file`: the longest mount point that is a prefix of it. */
export function mountOf(file: string): { device: string; mountPoint: string } {
  const abs = path.resolve(file);
  let best = { device: 'the filesystem', mountPoint: '/' };
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return best;
  }
  let bestLen = -1;
  for (const line of text.split('\n')) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (fields.length < 5 || dash < 0) continue;
    const mountPoint = unescapeMountinfo(fields[4]!);
    const inside = mountPoint === '/' || abs === mountPoint || abs.startsWith(`${mountPoint}/`);
    if (inside && mountPoint.length >= bestLen) {
      bestLen = mountPoint.length;
      best = {
        device: unescapeMountinfo(fields[dash + 2] ?? fields[dash + 1] ?? 'the filesystem'),
        mountPoint,
      };
    }
  }
  return best;
}

/**
 * The error to report for a failed write of `file` (or below it): a
 * DiskFullError when the disk is full, else `e` unchanged. The file the
 * system call names (a copy's destination, an open's path) wins over `file`.
 */
export function explainWrite(e: unknown, file: string): unknown {
  if (e instanceof DiskFullError) return e;
  const code = errnoOf(e);
  if (code === undefined) return e;
  const named = e as { dest?: unknown; path?: unknown };
  const where =
    typeof named.dest === 'string' ? named.dest : typeof named.path === 'string' ? named.path : file;
  const { device, mountPoint } = mountOf(where);
  return new DiskFullError(where, device, mountPoint, code === 'EDQUOT', { cause: e });
}
