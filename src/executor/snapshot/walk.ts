/**
 * Walk snapshotter (fallback, and for rootless): the RUN changes the rootfs
 * in place; an index of its metadata taken before (and kept between steps)
 * is compared with a walk after. Missing mount points are created in the
 * rootfs for the RUN and removed afterwards; the directories holding them
 * get their mtime back and their ctime is not compared, so a stub never
 * shows up as a change. Cost: one walk of the rootfs per RUN.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangeSet } from '../../archive/changes.js';
import type { Logger } from '../../log.js';
import { findBinary, runHostCommand } from '../isolation/host-tools.js';
import {
  type CreatedStub,
  createStubs,
  planMountPoints,
  type RunMountPoint,
  removeStubs,
  type TouchedDir,
} from '../isolation/mount-points.js';
import type { MountTargets } from '../isolation/sandbox.js';
import type { PreparedRun, Snapshotter } from './snapshot.js';
import { diffIndexes, SnapshotIndex, waitForClockPast } from './walk-index.js';

export interface WalkOptions {
  rootfs: string;
  /** A directory on the rootfs's filesystem (clock probe). */
  workDir: string;
  log: Logger;
}

function nsToTouchDate(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `@${s}.${frac}`;
}

export class WalkSnapshotter implements Snapshotter {
  readonly kind = 'walk' as const;
  readonly rootfs: string;
  /** The rootfs as of the last step; undefined = walk again on next use. */
  index: SnapshotIndex | undefined;

  constructor(private readonly opts: WalkOptions) {
    this.rootfs = opts.rootfs;
  }

  async prepare(runMounts: readonly RunMountPoint[] = []): Promise<PreparedRun> {
    this.index ??= await SnapshotIndex.build(this.rootfs);
    const before = this.index;
    const plan = await planMountPoints(this.rootfs, this.opts.log, runMounts);
    const { created, touched } = await createStubs(this.rootfs, plan.stubs);
    await waitForClockPast(this.opts.workDir, before.maxCtimeNs());
    return new WalkRun(this, before, plan.targets, created, touched);
  }

  async noteChanges(changes: ChangeSet): Promise<void> {
    if (!this.index) return; // built on next prepare()
    await this.index.apply(changes.changes);
  }
}

class WalkRun implements PreparedRun {
  private after: SnapshotIndex | undefined;
  private stubsRemoved = false;

  constructor(
    private readonly owner: WalkSnapshotter,
    private readonly before: SnapshotIndex,
    readonly mounts: MountTargets,
    private readonly created: CreatedStub[],
    private readonly touched: TouchedDir[],
  ) {}

  get root(): string {
    return this.owner.rootfs;
  }

  /** Removes the stubs; returns directories whose ctime Kiln changed. */
  private async removeStubs(): Promise<Set<string>> {
    const ignore = new Set<string>();
    if (this.stubsRemoved) return ignore;
    const root = this.owner.rootfs;
    const mtimes = new Map<string, bigint>();
    for (const t of this.touched) {
      mtimes.set(t.rel, (await lstat(join(root, t.rel), { bigint: true })).mtimeNs);
    }
    await removeStubs(root, this.created);
    this.stubsRemoved = true;
    const touch = await findBinary('touch');
    for (const t of this.touched) {
      // Untouched by the RUN since the stubs were made: restore its mtime exactly.
      if (mtimes.get(t.rel) === t.afterCreateNs && touch) {
        await runHostCommand(touch, ['-m', '-h', '-d', nsToTouchDate(t.mtimeNs), join(root, t.rel)]);
        if (t.rel !== '') ignore.add(t.rel);
      }
    }
    return ignore;
  }

  async finish(): Promise<ChangeSet> {
    const ignore = await this.removeStubs();
    this.after = await SnapshotIndex.build(this.owner.rootfs);
    const changes = diffIndexes(this.before, this.after, ignore);
    return { sourceRoot: this.owner.rootfs, changes };
  }

  async commit(): Promise<void> {
    if (!this.after) throw new Error('commit() before finish()');
    this.owner.index = this.after;
  }

  async discard(): Promise<void> {
    await this.removeStubs().catch(() => undefined);
    this.owner.index = undefined;
  }
}
