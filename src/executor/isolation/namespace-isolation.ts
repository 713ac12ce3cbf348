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
 * in the store; otherwise the log says why and roots are extracted into the
 * workspace. That choice too is made on the first root a step reads: a
 * build whose steps all hit the cache never opens the store.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import type { ChangeSet } from '../../archive/changes.js';
import type { XattrAccess } from '../../archive/xattr.js';
import type { Image } from '../../image/image.js';
import type { Logger } from '../../log.js';
import { ImageDir } from '../fs/image-dir.js';
import type { BuildOptions, IsolationRequest, SnapshotMode } from '../options.js';
import { type RunStep, runStep } from '../snapshot/run-step.js';
import { createSnapshotter, probeOverlay } from '../snapshot/select.js';
import type { Snapshotter } from '../snapshot/snapshot.js';
import { SnapshotStore } from '../store/snapshot-store.js';
import { removeInBackground, type Workspace } from '../workspace.js';
import type { Isolation, RootRunSpec, StageRoot } from './isolation.js';
import { isUnavailable, type Sandbox } from './sandbox.js';
import { selectSandbox } from './sandbox-select.js';
import { StoreRoot } from './store-root.js';

export interface NamespaceIsolationOptions {
  requested: IsolationRequest;
  snapshotMode: SnapshotMode;
  workspace: Workspace;
  xattrs: XattrAccess | undefined;
  store: BuildOptions['store'];
  log: Logger;
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
  /** Probes started lazily: they write in the workspace and must end before it goes. */
  private readonly started: Promise<unknown>[] = [];
  readonly sandbox: () => Promise<Sandbox>;
  readonly overlayProbe: () => Promise<true | string>;
  /** The snapshot store when stage roots can be overlays of it, else why not. */
  private readonly storeChoice: () => Promise<SnapshotStore | string>;
  private readonly storeRoots: StoreRoot[] = [];
  private storeChosen = false;

  constructor(readonly opts: NamespaceIsolationOptions) {
    const { workspace, log } = opts;
    this.sandbox = once(async () => {
      const s = await selectSandbox(opts.requested, log, { scratchDir: workspace.root });
      if (isUnavailable(s)) throw new Error(`RUN is not possible here: ${s.unavailable}`);
      log.info(`RUN isolation: ${s.kind}`);
      return s;
    }, this.started);
    this.overlayProbe = once(() => probeOverlay(workspace.root), this.started);
    this.storeChoice = once(async () => {
      this.storeChosen = true;
      const choice = await chooseStore(opts);
      if (typeof choice === 'string')
        log.info(`snapshot store: not used (${choice}); extracting into the workspace`);
      else log.info(`snapshot store: ${choice.settings.dir} (stage roots are overlays of stored layers)`);
      return choice;
    }, this.started);
  }

  async createRoot(name: string): Promise<StageRoot> {
    const dir = await this.opts.workspace.dir(name);
    const inWorkspace = async () =>
      new WorkspaceRoot(this, await ImageDir.create(dir, this.opts.xattrs, this.opts.log));
    if (!this.opts.store) return inWorkspace();
    return new DeferredRoot(dir, async () => {
      const store = await this.storeChoice();
      if (typeof store === 'string') return inWorkspace();
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

  async dispose(): Promise<void> {
    await Promise.all(this.started);
    // Mounts over the store go before the build lets go of it (and caps its size).
    await Promise.all(this.storeRoots.map((r) => r.release()));
    const store = this.storeChosen ? await this.storeChoice().catch(() => undefined) : undefined;
    if (store instanceof SnapshotStore) await store.close();
  }
}

/** Opens the store if stage roots can be overlays of it here; otherwise why not. */
async function chooseStore(opts: NamespaceIsolationOptions): Promise<SnapshotStore | string> {
  if (!opts.store) return 'no --store';
  if (process.geteuid?.() !== 0) return 'overlay mounts need root';
  if (opts.requested === 'rootless') return 'RUN runs rootless (--isolation rootless)';
  if (opts.snapshotMode === 'walk') return '--snapshot-mode walk';
  let store: SnapshotStore;
  try {
    store = await SnapshotStore.open(opts.store, opts.log);
  } catch (e) {
    return (e as Error).message;
  }
  // A probe mount once per kernel: the store remembers that overlay works there.
  const mark = join(store.layout.root, 'overlay-ok');
  const works = `${release()} ${(await stat(store.layout.tmp)).dev}\n`;
  if ((await readFile(mark, 'utf8').catch(() => '')) === works) return store;
  const t = await store.temp('probe');
  const probe = await probeOverlay(t.dir);
  await store.dropTemp(t);
  if (probe === true) {
    await writeFile(mark, works);
    return store;
  }
  await store.close();
  return `overlay does not mount in ${opts.store.dir}: ${probe}`;
}

/** A stage root whose kind is chosen when a step first reads it (a build of cache hits never chooses). */
class DeferredRoot implements StageRoot {
  private impl: StageRoot | undefined;
  private choosing: Promise<StageRoot> | undefined;

  constructor(
    private readonly path: string,
    private readonly choose: () => Promise<StageRoot>,
  ) {}

  private get root(): StageRoot {
    if (!this.impl) throw new Error('internal: a stage root was used before materialize()');
    return this.impl;
  }

  get dir(): string {
    return this.impl?.dir ?? this.path;
  }

  async materialize(image: Image, label: string): Promise<void> {
    this.choosing ??= this.choose().then((r) => {
      this.impl = r;
      return r;
    });
    await (await this.choosing).materialize(image, label);
  }

  caughtUp(image: Image): void {
    this.root.caughtUp(image);
  }

  noteChanges(changes: ChangeSet): Promise<void> {
    return this.root.noteChanges(changes);
  }

  run(spec: RootRunSpec): Promise<RunStep> {
    return this.root.run(spec);
  }

  async release(): Promise<void> {
    await this.impl?.release();
    if (!this.impl) await removeInBackground(this.path);
  }
}

/** A stage root in the workspace, with the snapshotter of its current files. */
class WorkspaceRoot implements StageRoot {
  private snap: { snapshotter: Snapshotter; generation: number } | undefined;

  constructor(
    private readonly isolation: NamespaceIsolation,
    private readonly files: ImageDir,
  ) {}

  get dir(): string {
    return this.files.dir;
  }

  materialize(image: Image, label: string): Promise<void> {
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
