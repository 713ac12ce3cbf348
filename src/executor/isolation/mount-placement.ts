/**
 * From RUN mount specs to mount points and back: what kind of mount point
 * each needs (a directory or a file), planned by mount-points.ts with the
 * other mount points (by the snapshotter, or the sandbox itself), then
 * paired with where the plan put them.
 */
import { stat } from 'node:fs/promises';
import type { RunMountPoint } from './mount-points.js';
import type { PlacedMount } from './mounts-script.js';
import { type MountTargets, type RunMountSpec, SandboxError } from './sandbox.js';

/** The mount point each spec needs: a bind of a directory needs one, anything else a file. */
export async function runMountPoints(specs: readonly RunMountSpec[]): Promise<RunMountPoint[]> {
  return Promise.all(
    specs.map(async (m): Promise<RunMountPoint> => {
      if (m.kind === 'tmpfs') return { target: m.target, type: 'dir' };
      if (m.kind === 'file') return { target: m.target, type: 'file' };
      try {
        return { target: m.target, type: (await stat(m.source)).isDirectory() ? 'dir' : 'file' };
      } catch (e) {
        throw new SandboxError(`cannot mount ${m.source} at ${m.target}: ${(e as Error).message}`);
      }
    }),
  );
}

/** The specs with their planned places (targets.run, same order). */
export function placeRunMounts(
  specs: readonly RunMountSpec[],
  points: readonly RunMountPoint[],
  targets: MountTargets,
): PlacedMount[] {
  if (specs.length === 0) return [];
  const run = targets.run;
  if (!run || run.length !== specs.length) throw new Error('internal: RUN mount points were not planned');
  return specs.map((spec, i) => ({
    spec,
    rel: run[i]!.rel,
    nested: run[i]!.nested,
    dir: points[i]!.type === 'dir',
  }));
}
