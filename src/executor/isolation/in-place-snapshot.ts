/**
 * The snapshotter of an in-place root: the RUN changes `/` itself, and what
 * it changed is found by walking `/` (kept paths left out) against the index
 * kept since the step before (in-place-index.ts). The first RUN after an
 * extraction reads the root's directories first (a shallow index: the files
 * are all older than a clock probe taken then).
 */
import type { ChangeSet } from '../../archive/changes.js';
import type { Logger } from '../../log.js';
import type { PreparedRun, Snapshotter } from '../snapshot/snapshot.js';
import { clockNow, waitForClockPast } from '../snapshot/walk-index.js';
import { InPlaceIndex } from './in-place-index.js';
import type { KeptPaths } from './kept-paths.js';
import type { MountTargets } from './sandbox.js';

/** The in-place RUN mounts nothing: the container's own /proc, /dev and /sys are there. */
const CONTAINER_MOUNTS: MountTargets = { proc: 'proc', dev: 'dev', sys: 'sys' };

export interface InPlaceSnapshotOptions {
  root: string;
  kept: KeptPaths;
  /** A directory on the root's filesystem, kept out of the build (the clock probe goes there). */
  probeDir: string;
  log: Logger;
}

export class InPlaceSnapshotter implements Snapshotter {
  readonly kind = 'walk' as const;
  readonly rootfs: string;
  /** The root as of the last step; undefined = index again on next use. */
  index: InPlaceIndex | undefined;

  constructor(private readonly opts: InPlaceSnapshotOptions) {
    this.rootfs = opts.root;
  }

  /** RUN mounts are not planned here: the in-place RUN puts them in place itself (in-place-mounts.ts). */
  async prepare(): Promise<PreparedRun> {
    this.settled.clear();
    if (!this.index) {
      // Nothing writes the root between the extraction and now: names and types are enough.
      const started = performance.now();
      const floor = await clockNow(this.opts.probeDir);
      this.index = InPlaceIndex.shallow(this.opts.root, this.opts.kept, floor);
      this.opts.log.debug(
        `in-place index: ${this.index.size} entries (directories read) in ${(performance.now() - started).toFixed(0)} ms`,
      );
    }
    const before = this.index;
    await waitForClockPast(this.opts.probeDir, before.maxCtimeNs);
    return new InPlaceRun(this, before, this.opts.log);
  }

  async noteChanges(changes: ChangeSet): Promise<void> {
    this.index?.apply(changes.changes);
  }

  /**
   * Paths whose times only Kiln moved during the RUN being snapshotted (its
   * mounts put in and taken out, in-place-mounts.ts): the next finish()
   * does not compare their times.
   */
  settle(paths: ReadonlySet<string>): void {
    for (const p of paths) this.settled.add(p);
  }

  /** Taken by finish(). */
  readonly settled = new Set<string>();
}

class InPlaceRun implements PreparedRun {
  readonly mounts = CONTAINER_MOUNTS;
  private after: InPlaceIndex | undefined;

  constructor(
    private readonly owner: InPlaceSnapshotter,
    private readonly before: InPlaceIndex,
    private readonly log: Logger,
  ) {}

  get root(): string {
    return this.owner.rootfs;
  }

  async finish(): Promise<ChangeSet> {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const { index, changes } = this.before.rescan(this.owner.settled);
    this.owner.settled.clear();
    this.after = index;
    const s = index.stats;
    const used = process.cpuUsage(cpu);
    this.log.debug(
      `in-place snapshot: ${s.entries} entries, ${s.dirsRead} directories read, ${changes.length} changes in ${(performance.now() - started).toFixed(0)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0)} ms)`,
    );
    return { sourceRoot: this.owner.rootfs, changes };
  }

  async commit(): Promise<void> {
    if (!this.after) throw new Error('commit() before finish()');
    this.owner.index = this.after;
  }

  async discard(): Promise<void> {
    this.owner.settled.clear();
    this.owner.index = undefined;
  }
}
