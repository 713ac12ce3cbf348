/**
 * A stage root backed by the snapshot store (root, overlay): its files are
 * an overlay mounted at `dir` whose lower dirs are the store entries of the
 * image's layers and whose upper dir is fresh. Starting a stage from a base
 * or a cached step the store knows costs one mount; a layer it lacks is
 * extracted once into a new entry (through an overlay over the entries
 * below it, so its whiteouts, opaque directories and hardlinks to lower
 * files come out as overlayfs writes them), and every later build on the
 * machine mounts it.
 *
 * The layers the build makes enter the store too: a COPY/WORKDIR writes
 * into `dir`, whose upper dir then holds exactly its change; a RUN runs in
 * its own overlay over the same entries (snapshot/overlay.ts OverlayRun:
 * the upper dir is the snapshot), and its upper dir is the change. Once the
 * step's layer is known (caughtUp: its diffID gives the chain ID), that
 * upper dir is renamed into the store as the entry, and `dir` is mounted
 * again over the longer chain when a step next reads it.
 */
import { chmod, mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ChangeSet } from '../../archive/changes.js';
import { extractLayer } from '../../archive/extract.js';
import type { XattrAccess } from '../../archive/xattr.js';
import type { Layer } from '../../image/blob.js';
import type { Digest } from '../../image/digest.js';
import type { Image } from '../../image/image.js';
import type { Logger } from '../../log.js';
import { createStubs, planMountPoints, type RunMountPoint } from '../isolation/mount-points.js';
import { mountOverlay, OverlayRun, unmountOverlay } from '../snapshot/overlay.js';
import { type RunStep, runStep } from '../snapshot/run-step.js';
import type { PreparedRun, Snapshotter } from '../snapshot/snapshot.js';
import { chainIds } from '../store/layout.js';
import type { SnapshotStore, StoreEntry, TempEntry } from '../store/snapshot-store.js';
import type { Workspace } from '../workspace.js';
import type { RootRunSpec, StageRoot } from './isolation.js';
import type { Sandbox } from './sandbox.js';

/** overlayfs stacks at most 500 lower layers (OVL_MAX_STACK). */
export const MAX_LOWERS = 499;

export interface StoreRootContext {
  store: () => Promise<SnapshotStore>;
  sandbox: () => Promise<Sandbox>;
  workspace: Workspace;
  xattrs: XattrAccess | undefined;
  log: Logger;
}

/** A step's change not in the store yet: an upper dir and, once caughtUp() said, its layer. */
interface Pending {
  upper: TempEntry;
  layer?: { chain: Digest; diffId: Digest };
}

export class StoreRoot implements StageRoot {
  /** Store entries of the layers the files are at, bottom first (pending ones not included). */
  private entries: StoreEntry[] = [];
  /** Chain IDs of the layers the files are at (pending ones included). */
  private chain: Digest[] = [];
  /** The upper dir of the overlay mounted at `dir`, when one is. */
  private mounted: TempEntry | undefined;
  /** `dir` does not show the last entries (a RUN changed them behind it). */
  private stale = false;
  private pending: Pending | undefined;
  /** The upper dir of a RUN that committed, until caughtUp() says what layer it is. */
  private ranUpper: TempEntry | undefined;
  /** Operations run one at a time (COPY --from readers of other stages included). */
  private queue: Promise<unknown> = Promise.resolve();
  /** A background settle() failed: the next operation says so. */
  private failed: Error | undefined;
  private released = false;

  constructor(
    private readonly ctx: StoreRootContext,
    readonly dir: string,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  materialize(image: Image, label: string): Promise<void> {
    return this.serial(async () => {
      await this.settle();
      const layers = image.layers;
      if (this.chain.length > layers.length)
        throw new Error(`${label}: the filesystem is ahead of its image`);
      if (this.chain.length === layers.length && this.mounted && !this.stale) return;
      if (layers.length > MAX_LOWERS) {
        throw new Error(
          `${label}: ${layers.length} layers are more than an overlay can stack (${MAX_LOWERS}); build with --no-store`,
        );
      }
      const chains = chainIds(layers.map((l) => l.diffId));
      const store = await this.ctx.store();
      const started = Date.now();
      const before = store.counts.extracted;
      for (let i = this.entries.length; i < layers.length; i++) {
        const lowers = [...this.entries];
        this.entries.push(
          await store.ensure(chains[i]!, layers[i]!.diffId, (t) =>
            this.extract(t, lowers, layers[i]!, `${label} extracting layer ${i + 1}/${layers.length}`),
          ),
        );
      }
      this.chain = chains;
      const extracted = store.counts.extracted - before;
      if (extracted > 0) {
        this.ctx.log.debug(`timing: extract ${Date.now() - started} ms ${label}`);
        this.ctx.log.debug(`${label}: extracted ${extracted} layer(s) into the snapshot store`);
      }
      await this.remount();
      this.ctx.log.debug(`${label}: mounted ${this.entries.length} layer(s) from the snapshot store`);
    });
  }

  /** Extracts `layer` into the temp entry `t`: through an overlay over `lowers` when there are any. */
  private async extract(t: TempEntry, lowers: StoreEntry[], layer: Layer, what: string): Promise<void> {
    const { log, xattrs, workspace } = this.ctx;
    const key = `extract ${t.dir}`;
    log.progress?.(key, `${what} (${(layer.size / 1048576).toFixed(1)} MiB)`);
    try {
      await chmod(t.diff, 0o755);
      const tar = () => layer.openUncompressed() as Readable;
      if (lowers.length === 0) {
        await extractLayer(tar(), t.diff, { xattrs, logger: log });
        return;
      }
      const merged = await workspace.dir('extract');
      await mountEntries(lowers, t, merged);
      try {
        await extractLayer(tar(), merged, { xattrs, logger: log });
      } finally {
        await unmountOverlay(merged);
      }
    } finally {
      log.progress?.(key, undefined);
    }
  }

  /** Mounts `dir` again over the current entries, with a fresh upper dir. */
  private async remount(): Promise<void> {
    const store = await this.ctx.store();
    await this.unmount();
    const upper = await store.temp('root');
    await chmod(upper.diff, 0o755);
    await mountEntries(this.entries, upper, this.dir);
    this.mounted = upper;
    this.stale = false;
  }

  private async unmount(): Promise<void> {
    const upper = this.mounted;
    if (!upper) return;
    this.mounted = undefined;
    await unmountOverlay(this.dir);
    if (this.pending?.upper !== upper) await (await this.ctx.store()).dropTemp(upper);
  }

  caughtUp(image: Image): void {
    const n = image.layers.length;
    const ran = this.ranUpper;
    this.ranUpper = undefined;
    if (n === this.chain.length) {
      // No layer: a RUN that changed nothing, a WORKDIR that existed.
      if (ran) this.queue = this.queue.then(async () => (await this.ctx.store()).dropTemp(ran));
      return;
    }
    const upper = ran ?? this.mounted;
    if (n !== this.chain.length + 1 || !upper) {
      throw new Error(`internal: the stage root is at ${this.chain.length} layers, the image has ${n}`);
    }
    const layer = image.layers[n - 1]!;
    const chain = chainIds(image.layers.map((l) => l.diffId))[n - 1]!;
    this.chain.push(chain);
    this.pending = { upper, layer: { chain, diffId: layer.diffId } };
    if (ran) this.stale = true;
    // Into the store now, so that another stage built FROM this one finds it there.
    this.queue = this.queue
      .then(() => this.settle())
      .catch((e: Error) => {
        this.failed = e;
      });
  }

  /** Moves a pending change into the store (unmounting `dir` first when it is its upper dir). */
  private async settle(): Promise<void> {
    if (this.failed) throw this.failed;
    const p = this.pending;
    if (!p?.layer) return;
    const store = await this.ctx.store();
    if (this.mounted === p.upper) {
      this.mounted = undefined;
      this.stale = true;
      await unmountOverlay(this.dir);
    }
    this.pending = undefined;
    this.entries.push(await store.adopt(p.layer.chain, p.layer.diffId, p.upper));
  }

  refuseWrite(): undefined {
    return undefined;
  }

  async noteChanges(_changes: ChangeSet): Promise<void> {}

  run(spec: RootRunSpec): Promise<RunStep> {
    return this.serial(async () => {
      await this.settle();
      if (!this.mounted || this.stale) await this.remount();
      const sandbox = await this.ctx.sandbox();
      if (sandbox.kind !== 'chroot') {
        throw new Error(
          `a stage root in the snapshot store needs the chroot RUN isolation (this build chose ${sandbox.kind}); build with --no-store`,
        );
      }
      const { home, ...rest } = spec;
      return runStep({
        sandbox,
        snapshotter: new StoreRunSnapshotter(this, await this.ctx.store(), this.ctx),
        spec: rest,
        ...(home === undefined ? {} : { home }),
      });
    });
  }

  /** Called by a committed RUN: its upper dir is this root's next change. */
  ran(upper: TempEntry): void {
    this.ranUpper = upper;
  }

  /** The entries a RUN's overlay stacks (the current ones). */
  lowerEntries(): StoreEntry[] {
    return [...this.entries];
  }

  release(): Promise<void> {
    return this.serial(async () => {
      if (this.released) return;
      this.released = true;
      try {
        // A step's finished change still goes into the store: the next build starts from it.
        await this.settle();
      } catch (e) {
        this.ctx.log.warn(`snapshot store: keeping a layer failed: ${(e as Error).message}`);
      }
      await this.unmount().catch((e: Error) => this.ctx.log.warn(`unmounting ${this.dir}: ${e.message}`));
    });
  }
}

/** Mounts an overlay of `entries` (bottom first) and `extra` lowers under them, with `t.diff` as upper dir. */
async function mountEntries(
  entries: readonly StoreEntry[],
  t: TempEntry,
  target: string,
  extra: readonly string[] = [],
): Promise<void> {
  const links = join(t.dir, 'l');
  await mkdir(links, { recursive: true });
  await mkdir(join(t.dir, 'work'), { recursive: true });
  const lowers = [...entries.map((e) => e.diff).reverse(), ...extra];
  if (lowers.length === 0) {
    // overlayfs wants a lower dir: an empty one.
    await mkdir(join(t.dir, 'empty'), { recursive: true });
    lowers.push(join(t.dir, 'empty'));
  }
  // Short relative names keep the mount options under a page whatever the store path.
  const names = await Promise.all(
    lowers.map(async (l, i) => {
      await rm(join(links, String(i)), { force: true });
      await symlink(l, join(links, String(i)));
      return `l/${i}`;
    }),
  );
  await mountOverlay({ lowers: names, upper: 'diff', work: 'work', cwd: t.dir }, target);
}

/** The RUN snapshot over a store root: an overlay of its entries, the mount-point stubs under them. */
class StoreRunSnapshotter implements Snapshotter {
  readonly kind = 'overlay' as const;

  constructor(
    private readonly root: StoreRoot,
    private readonly store: SnapshotStore,
    private readonly ctx: StoreRootContext,
  ) {}

  get rootfs(): string {
    return this.root.dir;
  }

  async prepare(runMounts: readonly RunMountPoint[] = []): Promise<PreparedRun> {
    const t = await this.store.temp('run');
    try {
      await chmod(t.diff, 0o755);
      const merged = await this.ctx.workspace.dir('run');
      const plan = await planMountPoints(this.root.dir, this.ctx.log, runMounts);
      const stubs = join(t.dir, 'stubs');
      await mkdir(stubs);
      await createStubs(stubs, plan.stubs);
      await mountEntries(this.root.lowerEntries(), t, merged, plan.stubs.length ? [stubs] : []);
      const paths = { dir: t.dir, upper: t.diff, work: join(t.dir, 'work'), merged };
      return new StoreRun(this.root.dir, paths, plan.targets, this.root, this.store, t);
    } catch (e) {
      await this.store.dropTemp(t);
      throw e;
    }
  }

  async noteChanges(): Promise<void> {}
}

class StoreRun extends OverlayRun {
  constructor(
    lowerView: string,
    paths: ConstructorParameters<typeof OverlayRun>[1],
    mounts: ConstructorParameters<typeof OverlayRun>[2],
    private readonly owner: StoreRoot,
    private readonly store: SnapshotStore,
    private readonly t: TempEntry,
  ) {
    super(lowerView, paths, mounts);
  }

  /** The upper dir is not applied anywhere: it becomes the root's next store entry. */
  override async commit(): Promise<void> {
    if (!this.finished) throw new Error('commit() before finish()');
    this.owner.ran(this.t);
  }

  override async discard(): Promise<void> {
    await super.discard();
    await this.store.dropTemp(this.t);
  }
}
