/**
 * The isolation of a build on a host (or in a privileged container): every
 * stage root is a directory of the workspace, RUN executes in the namespace
 * sandbox (chroot as root, rootless in a user namespace; sandbox-select
 * chooses, on the first RUN) and its changes are found by an overlay or a
 * walk snapshot (snapshot/select.ts). Both choices are made once per build
 * and lazily: a build whose RUN steps all hit the cache never probes.
 *
 * With a snapshot store (--store), stage roots are overlays of its entries
 * (store-root.ts) when Kiln is root, RUN uses chroot and an overlay mounts
 * in the store; otherwise they are workspace directories started from the
 * store's whole trees (store-choice.ts says which, and why). That choice
 * too is made on the first root a step reads: a build whose steps all hit
 * the cache never opens the store.
 */
import type { ChangeSet } from '../../archive/changes.js';
import type { XattrAccess } from '../../archive/xattr.js';
import type { Image } from '../../image/image.js';
import type { Logger } from '../../log.js';
import { ImageDir } from '../fs/image-dir.js';
import type { BuildOptions, IsolationRequest, SnapshotMode } from '../options.js';
import { type RunStep, runStep } from '../snapshot/run-step.js';
import { createSnapshotter, probeOverlay } from '../snapshot/select.js';
import type { Snapshotter } from '../snapshot/snapshot.js';
import { StoreLayout } from '../store/layout.js';
import type { StoredTrees } from '../store/stored-trees.js';
import { removeInBackground, type Workspace } from '../workspace.js';
import type { Isolation, RootRunSpec, StageRoot } from './isolation.js';
import { isUnavailable, type Sandbox } from './sandbox.js';
import { SandboxMemo } from './sandbox-memo.js';
import { selectSandbox } from './sandbox-select.js';
import { chooseStore, DeferredRoot, describeChoice, type StoreChoice } from './store-choice.js';
import { StoreRoot } from './store-root.js';

export interface NamespaceIsolationOptions {
  requested: IsolationRequest;
  snapshotMode: SnapshotMode;
  workspace: Workspace;
  xattrs: XattrAccess | undefined;
  store: BuildOptions['store'];
  log: Logger;
  /** The RUN sandbox when the caller already chose it (probed). */
  sandbox?: Sandbox;
  /** Added to the error when no sandbox works (what to do here instead). */
  hint?: string;
}

/** `fn` run on first call only; its settled promise is added to `started`. */
function once<T>(fn: () => Promise<T>, started: Promise<unknown>[]): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    if (!p) {
      p = fn();
      started.push(p.catch(() => undefined));
    }
    return p;
  };
}

export class NamespaceIsolation implements Isolation {
  readonly oneStageAtATime = false;
  /** Probes started lazily: they write in the workspace and must end before it goes. */
  private readonly started: Promise<unknown>[] = [];
  readonly sandbox: () => Promise<Sandbox>;
  readonly overlayProbe: () => Promise<true | string>;
  /** The snapshot store when stage roots can be overlays of it, else why not. */
  private readonly storeChoice: () => Promise<StoreChoice>;
  private readonly storeRoots: StoreRoot[] = [];
  private storeChosen = false;

  constructor(readonly opts: NamespaceIsolationOptions) {
    const { workspace, log } = opts;
    // With a store, the sandbox chosen before is remembered beside it (sandbox-memo.ts).
    const memo = opts.store
      ? new SandboxMemo(new StoreLayout(opts.store.dir).root, opts.requested)
      : undefined;
    this.sandbox = once(async () => {
      if (opts.sandbox) {
        log.info(`RUN isolation: ${opts.sandbox.kind}`);
        await memo?.remember(opts.sandbox);
        return opts.sandbox;
      }
      const known = await memo?.recall(workspace.root, log);
      if (known) {
        log.info(`RUN isolation: ${known.kind} (as chosen before on this machine)`);
        return known;
      }
      const s = await selectSandbox(opts.requested, log, { scratchDir: workspace.root });
      if (isUnavailable(s)) {
        throw new Error(`RUN is not possible here: ${s.unavailable}${opts.hint ? `. ${opts.hint}` : ''}`);
      }
      log.info(`RUN isolation: ${s.kind}`);
      await memo?.remember(s);
      return s;
    }, this.started);
    this.overlayProbe = once(() => probeOverlay(workspace.root), this.started);
    this.storeChoice = once(async () => {
      this.storeChosen = true;
      const choice = await chooseStore(opts);
      log.info(describeChoice(choice));
      return choice;
    }, this.started);
  }

  async createRoot(name: string): Promise<StageRoot> {
    const dir = await this.opts.workspace.dir(name);
    const inWorkspace = async (trees?: StoredTrees) =>
      new WorkspaceRoot(this, await ImageDir.create(dir, this.opts.xattrs, this.opts.log), trees);
    if (!this.opts.store) return inWorkspace();
    return new DeferredRoot(dir, async () => {
      const choice = await this.storeChoice();
      if (typeof choice === 'string') return inWorkspace();
      if (choice.trees) return inWorkspace(choice.trees);
      const { store } = choice;
      const root = new StoreRoot(
        {
          store: async () => store,
          sandbox: this.sandbox,
          workspace: this.opts.workspace,
          xattrs: this.opts.xattrs,
          log: this.opts.log,
        },
        dir,
      );
      this.storeRoots.push(root);
      return root;
    });
  }

  warmUp(): void {
    this.sandbox().catch(() => undefined);
    this.overlayProbe().catch(() => undefined);
  }

  async dispose(_outcome: { failed: boolean }): Promise<void> {
    await Promise.all(this.started);
    // Mounts over the store go before the build lets go of it (and caps its size).
    await Promise.all(this.storeRoots.map((r) => r.release()));
    const choice = this.storeChosen ? await this.storeChoice().catch(() => undefined) : undefined;
    if (choice && typeof choice !== 'string') await choice.store.close();
  }
}

/** A stage root in the workspace, with the snapshotter of its current files. */
class WorkspaceRoot implements StageRoot {
  private snap: { snapshotter: Snapshotter; generation: number } | undefined;

  constructor(
    private readonly isolation: NamespaceIsolation,
    private readonly files: ImageDir,
    /** Without overlay, a snapshot store's whole trees: a fresh root is copied from one. */
    private readonly trees?: StoredTrees,
  ) {}

  get dir(): string {
    return this.files.dir;
  }

  materialize(image: Image, label: string): Promise<void> {
    if (this.trees && this.files.layerCount === 0 && image.layers.length > 0) {
      return this.trees.materialize(this.files, image, label);
    }
    return this.files.materialize(image, label);
  }

  caughtUp(image: Image): void {
    this.files.caughtUp(image);
  }

  /** The snapshotter, made again when extraction changed the files behind its back. */
  private async snapshotter(): Promise<Snapshotter> {
    if (this.snap && this.snap.generation === this.files.generation) return this.snap.snapshotter;
    const sandbox = await this.isolation.sandbox();
    const { opts } = this.isolation;
    const snapshotter = createSnapshotter(
      opts.snapshotMode,
      sandbox.kind,
      await this.isolation.overlayProbe(),
      {
        rootfs: this.files.dir,
        workDir: opts.workspace.root,
        log: opts.log,
      },
    );
    this.snap = { snapshotter, generation: this.files.generation };
    return snapshotter;
  }

  refuseWrite(): undefined {
    return undefined;
  }

  async noteChanges(changes: ChangeSet): Promise<void> {
    if (this.snap && this.snap.generation === this.files.generation)
      await this.snap.snapshotter.noteChanges(changes);
  }

  async run(spec: RootRunSpec): Promise<RunStep> {
    const sandbox = await this.isolation.sandbox();
    const snapshotter = await this.snapshotter();
    const { home, ...rest } = spec;
    return runStep({ sandbox, snapshotter, spec: rest, ...(home === undefined ? {} : { home }) });
  }

  release(): Promise<void> {
    return removeInBackground(this.files.dir);
  }
}
