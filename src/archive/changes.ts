/**
 * A filesystem change between two snapshots: what a layer holds. Snapshotters
 * (overlay upper dir, metadata walk, COPY/ADD bookkeeping) produce it; the
 * layer writer turns it into a tar. Paths are relative POSIX paths without a
 * leading slash (`usr/bin/tool`), never `.` or containing `..`.
 */
export type Change =
  /** The entry at join(sourceRoot, path) is new or changed (file, dir, symlink, device, fifo). */
  | { kind: 'add'; path: string }
  /** The path was deleted: a `.wh.<name>` whiteout. */
  | { kind: 'delete'; path: string }
  /** A directory whose lower content is hidden: `.wh..wh..opq` inside it (the dir is an 'add' too). */
  | { kind: 'opaque'; path: string };

export interface ChangeSet {
  /** Directory holding the content of every 'add' (an overlay upper dir or the rootfs). */
  sourceRoot: string;
  changes: Change[];
}
