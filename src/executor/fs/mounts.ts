/**
 * Mounts left under a directory: overlays of a RUN, the jail of a sandbox
 * killed with its Kiln. Every removal of a workspace unmounts first, deepest
 * first, lazily (a mount still busy goes when its last user does).
 */
import { execFileSync } from 'node:child_process';
import { HOST_PATH } from '../../executable.js';
import { findBinary, runHostCommand } from '../isolation/host-tools.js';
import { readMounts } from '../isolation/mount-table.js';

/** Mount points at or below `dir` (from /proc/self/mountinfo), deepest first. */
export function mountPointsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return readMounts()
    .map((m) => m.point)
    .filter((p) => p.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts every mount under `dir`; returns the mount points it found. */
export async function unmountUnder(dir: string): Promise<string[]> {
  const points = mountPointsUnder(dir);
  if (points.length === 0) return points;
  const umount = (await findBinary('umount')) ?? 'umount';
  for (const p of points) await runHostCommand(umount, ['-l', p]).catch(() => undefined);
  return points;
}

/** unmountUnder for a process that must exit now (signal handlers). Never throws. */
export function unmountUnderSync(dir: string): void {
  try {
    for (const p of mountPointsUnder(dir)) {
      try {
        execFileSync('umount', ['-l', p], { stdio: 'ignore', env: { PATH: HOST_PATH } });
      } catch {
        // not mounted any more, or not ours to unmount
      }
    }
  } catch {
    // no /proc: nothing we can do
  }
}
