/**
 * Overlay snapshotter (root). Per RUN: an overlayfs mount (in Kiln's own
 * mount namespace) with the stage rootfs as lower layer, a fresh upper and
 * work dir beside it, and the merged dir as the RUN's root. Missing mount
 * points live in a second, lower layer of stubs, so they are visible to the
 * RUN but never in the upper dir.
 *
 * After the RUN only the upper dir is walked: a 0/0 character device is a
 * deletion; a directory is opaque when some child of its lower directory is
 * neither in the upper directory nor visible in the merged view (checked on
 * one such child while the overlay is still mounted; Node cannot read the
 * trusted.overlay.opaque xattr). commit() moves the upper entries into the
 * rootfs with renames. Every cost grows with the change, not the rootfs.
 *
 * Mount options: redirect_dir=nofollow and metacopy=off so the upper dir
 * always holds whole entries (a renamed lower directory is copied, a chmod
 * copies the data) and xattrs an image might carry cannot redirect lookups;
 * index=off, xino=off; volatile where the kernel has it (no sync on unmount).
 */
import type { BigIntStats } from 'node:fs';
import {
  chmod,
  chown,
  lchown,
  lstat,
  mkdir,
  mkdtemp,
  opendir,
  readdir,
  rename,
  rm,
  utimes,
} from 'node:fs/promises';
import { join } from 'node:path';
import type { Change, ChangeSet } from '../../archive/changes.js';
import { lstatOrUndefined } from '../../fs/root-path.js';
import type { Logger } from '../../log.js';
import { findBinary, runHostCommand } from '../isolation/host-tools.js';
import { createStubs, planMountPoints, type RunMountPoint } from '../isolation/mount-points.js';
import type { MountTargets } from '../isolation/sandbox.js';
import { type PreparedRun, type Snapshotter, sortChanges } from './snapshot.js';

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

function isWhiteout(st: BigIntStats): boolean {
  return st.isCharacterDevice() && st.rdev === 0n;
}

function checkOptionPath(p: string): void {
  if (/[,:\\\n]/.test(p)) {
    throw new SnapshotError(`overlay snapshots need a workspace path without ',', ':' or '\\': ${p}`);
  }
}

export interface OverlayLayers {
  /** Lower dirs, top first: absolute, or relative to `cwd` (short names keep many layers under the option size limit). */
  lowers: string[];
  upper: string;
  work: string;
  cwd?: string;
}

/**
 * Mounts an overlay at `target` with the options every Kiln overlay uses (see
 * the module comment); volatile (Linux 5.10+) where the kernel has it: the
 * unmount then skips syncing the whole upper filesystem, which after
 * extracting a base flushed all of it (0.3 s for Debian).
 */
export async function mountOverlay(layers: OverlayLayers, target: string): Promise<void> {
  for (const p of [...layers.lowers, layers.upper, layers.work]) checkOptionPath(p);
  const options = `lowerdir=${layers.lowers.join(':')},upperdir=${layers.upper},workdir=${layers.work},redirect_dir=nofollow,metacopy=off,index=off,xino=off`;
  const mount = (await findBinary('mount')) ?? 'mount';
  const args = (o: string) => ['-t', 'overlay', '-o', o, 'kiln-overlay', target];
  const cwd = layers.cwd === undefined ? {} : { cwd: layers.cwd };
  await runHostCommand(mount, args(`${options},volatile`), cwd).catch(() =>
    runHostCommand(mount, args(options), cwd),
  );
}

/** Unmounts an overlay (lazily when it is busy). */
export async function unmountOverlay(target: string): Promise<void> {
  const umount = (await findBinary('umount')) ?? 'umount';
  try {
    await runHostCommand(umount, [target]);
  } catch {
    await runHostCommand(umount, ['-l', target]);
  }
}

export interface OverlayOptions {
  rootfs: string;
  /** A directory on the same filesystem as rootfs for upper/work dirs. */
  workDir: string;
  log: Logger;
}

export class OverlaySnapshotter implements Snapshotter {
  readonly kind = 'overlay' as const;
  readonly rootfs: string;

  constructor(private readonly opts: OverlayOptions) {
    this.rootfs = opts.rootfs;
    checkOptionPath(opts.rootfs);
    checkOptionPath(opts.workDir);
  }

  async prepare(runMounts: readonly RunMountPoint[] = []): Promise<PreparedRun> {
    const dir = await mkdtemp(join(this.opts.workDir, 'overlay-'));
    const paths = {
      dir,
      upper: join(dir, 'upper'),
      work: join(dir, 'work'),
      merged: join(dir, 'merged'),
      stubs: join(dir, 'stubs'),
    };
    let targets: MountTargets;
    try {
      for (const d of [paths.upper, paths.work, paths.merged, paths.stubs]) await mkdir(d, { mode: 0o700 });
      const [rootSt, upperSt] = await Promise.all([lstat(this.rootfs), lstat(paths.upper)]);
      if (rootSt.dev !== upperSt.dev) {
        throw new SnapshotError(`overlay work dir ${this.opts.workDir} is not on the rootfs's filesystem`);
      }
      // The merged root takes the upper root's attributes: make them the rootfs's.
      await chown(paths.upper, rootSt.uid, rootSt.gid);
      await chmod(paths.upper, rootSt.mode & 0o7777);
      const plan = await planMountPoints(this.rootfs, this.opts.log, runMounts);
      await createStubs(paths.stubs, plan.stubs);
      targets = plan.targets;
      const lowers = plan.stubs.length ? [this.rootfs, paths.stubs] : [this.rootfs];
      await mountOverlay({ lowers, upper: paths.upper, work: paths.work }, paths.merged);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return new OverlayRun(this.rootfs, paths, targets);
  }

  async noteChanges(): Promise<void> {}
}

export interface OverlayPaths {
  /** Holds upper and work (removed after commit or discard). */
  dir: string;
  upper: string;
  work: string;
  merged: string;
}

/**
 * A RUN over a mounted overlay: finish() walks the upper dir, commit()
 * moves it into `rootfs`. The snapshot store's roots replace commit()
 * (store-root.ts: the upper dir becomes a store entry instead).
 */
export class OverlayRun implements PreparedRun {
  private mounted = true;
  private opaque = new Set<string>();
  protected finished = false;

  constructor(
    /** The lower layers' view (merged when there are several): opacity is checked against it. */
    private readonly rootfs: string,
    protected readonly p: OverlayPaths,
    readonly mounts: MountTargets,
  ) {}

  get root(): string {
    return this.p.merged;
  }

  private async unmount(): Promise<void> {
    if (!this.mounted) return;
    await unmountOverlay(this.p.merged);
    this.mounted = false;
  }

  async finish(): Promise<ChangeSet> {
    const changes: Change[] = [];
    await this.walk('', changes);
    await this.unmount();
    this.finished = true;
    return { sourceRoot: this.p.upper, changes: sortChanges(changes) };
  }

  private async walk(rel: string, out: Change[]): Promise<void> {
    const names = (await readdir(join(this.p.upper, rel))).sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(this.p.upper, path), { bigint: true });
      if (isWhiteout(st)) {
        out.push({ kind: 'delete', path });
        continue;
      }
      out.push({ kind: 'add', path });
      if (st.isDirectory()) {
        if (await this.isOpaque(path)) {
          out.push({ kind: 'opaque', path });
          this.opaque.add(path);
        }
        await this.walk(path, out);
      }
    }
  }

  /** See the module comment: one lower child hidden from the merged view proves opacity. */
  private async isOpaque(path: string): Promise<boolean> {
    const lower = lstatOrUndefined(join(this.rootfs, path));
    if (!lower?.isDirectory()) return false;
    const dir = await opendir(join(this.rootfs, path));
    try {
      for await (const entry of dir) {
        if (lstatOrUndefined(join(this.p.upper, path, entry.name))) continue;
        return lstatOrUndefined(join(this.p.merged, path, entry.name)) === undefined;
      }
    } finally {
      await dir.close().catch(() => undefined);
    }
    return false;
  }

  async commit(): Promise<void> {
    if (!this.finished) throw new SnapshotError('commit() before finish()');
    await this.apply('');
    await rm(this.p.dir, { recursive: true, force: true });
  }

  /** Moves upper/rel's entries into rootfs/rel (a real directory on both sides). */
  private async apply(rel: string): Promise<void> {
    const names = await readdir(join(this.p.upper, rel));
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const u = join(this.p.upper, path);
      const r = join(this.rootfs, path);
      const su = await lstat(u, { bigint: true });
      if (isWhiteout(su)) {
        await rm(r, { recursive: true, force: true });
        continue;
      }
      const sr = lstatOrUndefined(r);
      if (su.isDirectory() && sr?.isDirectory()) {
        if (this.opaque.has(path)) {
          for (const child of await readdir(r)) await rm(join(r, child), { recursive: true, force: true });
        }
        await this.apply(path);
        await lchown(r, Number(su.uid), Number(su.gid));
        await chmod(r, Number(su.mode & 0o7777n));
        await utimes(r, Number(su.atimeNs) / 1e9, Number(su.mtimeNs) / 1e9);
        continue;
      }
      if (sr && (sr.isDirectory() || su.isDirectory())) await rm(r, { recursive: true, force: true });
      await rename(u, r);
    }
  }

  async discard(): Promise<void> {
    await this.unmount().catch(() => undefined);
    if (!this.mounted) await rm(this.p.dir, { recursive: true, force: true });
  }
}
