/**
 * Snapshotters turn "what a RUN changed" into a ChangeSet (src/archive/changes.ts)
 * and keep the stage's rootfs up to date.
 *
 *   const run = await snapshotter.prepare();     // tree to run in + mount points
 *   await sandbox.run({ root: run.root, mounts: run.mounts, … });
 *   const changes = await run.finish();          // the ChangeSet (sourceRoot stays valid…)
 *   await writeLayer(changes);                   // …until commit() or discard()
 *   await run.commit();                          // rootfs = state after the RUN
 *
 * Both modes give the same ChangeSet for the same change. Conventions:
 * - 'add' for every entry created, replaced or changed (content, mode, owner,
 *   times, xattrs via ctime), and for every ancestor directory of a change
 *   (as the overlay upper dir holds them and Docker's layers include them);
 * - 'delete' only for the top-most deleted path;
 * - 'opaque' (with 'add') for a directory that was deleted and re-created
 *   while some of its former children are gone;
 * - sorted by path (byte order of components), 'add' before 'opaque'.
 * Known difference: in overlay mode a file opened for writing but left
 * unchanged is copied up and appears as 'add' (as with Docker's overlay2);
 * in walk mode removing one name of a hardlinked file also reports the other
 * names (their link count, hence ctime, changed).
 */
import type { Change, ChangeSet } from '../../archive/changes.js';
import type { RunMountPoint } from '../isolation/mount-points.js';
import type { MountTargets } from '../isolation/sandbox.js';

export type SnapshotKind = 'overlay' | 'walk';

export interface PreparedRun {
  /** The directory the sandbox runs in (overlay merged dir, or the rootfs itself). */
  readonly root: string;
  /** Mount points, existing in root, none of which will appear in the ChangeSet. */
  readonly mounts: MountTargets;
  /** After the RUN succeeded: what changed. */
  finish(): Promise<ChangeSet>;
  /** After the layer writer consumed the ChangeSet: apply it to the rootfs and clean up. */
  commit(): Promise<void>;
  /**
   * Give up (the RUN or the layer failed): release everything. Overlay: the
   * rootfs is left as before the RUN. Walk: the RUN already changed the rootfs
   * in place (the build fails anyway); the index is rebuilt on next use.
   */
  discard(): Promise<void>;
}

export interface Snapshotter {
  readonly kind: SnapshotKind;
  /** The stage's root filesystem. */
  readonly rootfs: string;
  /** `runMounts`: the RUN --mount targets, planned with the other mount points (their stubs never show). */
  prepare(runMounts?: readonly RunMountPoint[]): Promise<PreparedRun>;
  /**
   * Tell the snapshotter about a change made to the rootfs by other means
   * (COPY/ADD written directly), after it was made. Overlay: nothing to do.
   * Walk: updates its index instead of re-walking the rootfs.
   */
  noteChanges(changes: ChangeSet): Promise<void>;
}

function cmpPath(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return Buffer.compare(Buffer.from(x[i]!), Buffer.from(y[i]!));
  }
  return x.length - y.length;
}

const KIND_ORDER: Record<Change['kind'], number> = { delete: 0, add: 1, opaque: 2 };

/** Canonical order of a change list (see the module comment). */
export function sortChanges(changes: Change[]): Change[] {
  return [...changes].sort((a, b) => cmpPath(a.path, b.path) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** Adds an 'add' for every missing ancestor directory of every change. */
export function withAncestors(changes: Change[]): Change[] {
  const added = new Set(changes.filter((c) => c.kind === 'add').map((c) => c.path));
  const out = [...changes];
  for (const c of changes) {
    const parts = c.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (!added.has(p)) {
        added.add(p);
        out.push({ kind: 'add', path: p });
      }
    }
  }
  return out;
}
