/**
 * The isolation of a build on a host (or in a privileged container): every
 * stage root is a directory of the workspace, RUN executes in the namespace
 * sandbox (chroot as root, rootless in a user namespace; sandbox-select
 * chooses, on the first RUN) and its changes are found by an overlay or a
 * walk snapshot (snapshot/select.ts). Both choices are made once per build
 * and lazily: a build whose RUN steps all hit the cache never probes.
 */
import type { ChangeSet } from '../../archive/changes.js';
import type { XattrAccess } from '../../archive/xattr.js';
import type { Image } from '../../image/image.js';
import type { Logger } from '../../log.js';
import { ImageDir } from '../fs/image-dir.js';
import type { IsolationRequest, SnapshotMode } from '../options.js';
import { type RunStep, runStep } from '../snapshot/run-step.js';
import { createSnapshotter, probeOverlay } from '../snapshot/select.js';
import type { Snapshotter } from '../snapshot/snapshot.js';
import { removeInBackground, type Workspace } from '../workspace.js';
import type { Isolation, RootRunSpec, StageRoot } from './isolation.js';
import { isUnavailable, type Sandbox } from './sandbox.js';
import { selectSandbox } from './sandbox-select.js';

export interface NamespaceIsolationOptions {
  requested: IsolationRequest;
  snapshotMode: SnapshotMode;
  workspace: Workspace;
  xattrs: XattrAccess | undefined;
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

  constructor(readonly opts: NamespaceIsolationOptions) {
    const { workspace, log } = opts;
    this.sandbox = once(async () => {
      const s = opts.sandbox ?? (await selectSandbox(opts.requested, log, { scratchDir: workspace.root }));
      if (isUnavailable(s)) {
        throw new Error(`RUN is not possible here: ${s.unavailable}${opts.hint ? `. ${opts.hint}` : ''}`);
      }
      log.info(`RUN isolation: ${s.kind}`);
      return s;
    }, this.started);
    this.overlayProbe = once(() => probeOverlay(workspace.root), this.started);
  }

  async createRoot(name: string): Promise<StageRoot> {
    const dir = await this.opts.workspace.dir(name);
    return new WorkspaceRoot(this, await ImageDir.create(dir, this.opts.xattrs, this.opts.log));
  }

  warmUp(): void {
    this.sandbox().catch(() => undefined);
    this.overlayProbe().catch(() => undefined);
  }

  async dispose(_outcome: { failed: boolean }): Promise<void> {
    await Promise.all(this.started);
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
