/**
 * Choosing the snapshotter of a stage. `auto`: overlay when Kiln is root and
 * an overlay mount works in the workspace (not, e.g., when the workspace is
 * itself on overlayfs inside a container), else walk. Rootless isolation
 * always walks (the overlay would live in the RUN's user namespace only).
 */

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setting } from '../../hints.js';
import type { Logger } from '../../log.js';
import { findBinary, runHostCommand } from '../isolation/host-tools.js';
import type { IsolationKind } from '../isolation/sandbox.js';
import type { SnapshotMode } from '../options.js';
import { OverlaySnapshotter, SnapshotError } from './overlay.js';
import type { Snapshotter } from './snapshot.js';
import { WalkSnapshotter } from './walk.js';

/** Whether an overlay can be mounted with upper/work dirs under workDir; the reason when not. */
export async function probeOverlay(workDir: string): Promise<true | string> {
  if (process.geteuid?.() !== 0) return 'overlay snapshots need root';
  const mount = await findBinary('mount');
  const umount = await findBinary('umount');
  if (!mount || !umount) return 'mount/umount not found';
  const dir = await mkdtemp(join(workDir, 'overlay-probe-'));
  try {
    for (const d of ['lower', 'upper', 'work', 'merged']) await mkdir(join(dir, d));
    const o = `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work,redirect_dir=nofollow,metacopy=off,index=off,xino=off`;
    await runHostCommand(mount, ['-t', 'overlay', '-o', o, 'kiln-overlay-probe', join(dir, 'merged')]);
    await runHostCommand(umount, [join(dir, 'merged')]);
    return true;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface SnapshotterOptions {
  rootfs: string;
  /** Workspace directory on the rootfs's filesystem for upper/work dirs. */
  workDir: string;
  log: Logger;
}

/** Pass the result of probeOverlay() (probe once per build) as `overlayProbe`. */
export function createSnapshotter(
  mode: SnapshotMode,
  isolation: IsolationKind | undefined,
  overlayProbe: true | string,
  opts: SnapshotterOptions,
): Snapshotter {
  if (mode === 'walk' || (mode === 'auto' && (isolation === 'rootless' || overlayProbe !== true))) {
    return new WalkSnapshotter(opts);
  }
  if (isolation === 'rootless') {
    throw new SnapshotError(
      `${setting('snapshot-mode', 'overlay')} needs ${setting('isolation', 'chroot')} (rootless RUNs use walk snapshots)`,
    );
  }
  if (overlayProbe !== true) {
    throw new SnapshotError(
      `${setting('snapshot-mode', 'overlay')} does not work here: ${overlayProbe}; use ${setting('snapshot-mode', 'walk')}`,
    );
  }
  return new OverlaySnapshotter(opts);
}
