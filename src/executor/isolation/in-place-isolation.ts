/**
 * The in-place isolation, for containers without namespaces (a Kubernetes
 * pod, a GitLab job on the docker executor, a job container): kaniko's
 * model. The container's own `/` is the stage root: the base image is
 * extracted onto it, RUN executes directly in it (in-place-run.ts), and its
 * changes are found by walking it (in-place-snapshot.ts). The kept paths
 * (kept-paths.ts: mount points, Kiln's own directory, its workspace, the
 * context…) are never touched.
 *
 * Stages build one at a time (every root is `/`). When the next stage takes
 * `/`, the previous one's files are moved aside into the workspace (a rename
 * per top-level entry) for a later `COPY --from`; a stage built FROM the
 * previous one takes its files over as they are. A stage read after its
 * files are gone is extracted from its layers into the workspace. At the end
 * `/` holds the last stage's files, as with kaniko; when the build failed (a
 * RUN that filled the disk leaves room for the next build) or with
 * --cleanup, `/` gets back the container's own files instead.
 */
import type { ChangeSet } from '../../archive/changes.js';
import type { XattrAccess } from '../../archive/xattr.js';
import type { Image } from '../../image/image.js';
import type { Logger } from '../../log.js';
import { ImageDir } from '../fs/image-dir.js';
import { type RunStep, runStep } from '../snapshot/run-step.js';
import { removeInBackground, type Workspace } from '../workspace.js';
import { clearRoot, moveAside, restoreRoot, saveRoot } from './in-place-clear.js';
import { placeMounts } from './in-place-mounts.js';
import { refusedInPlace, runInPlace } from './in-place-run.js';
import { InPlaceSnapshotter } from './in-place-snapshot.js';
import type { Isolation, RootRunSpec, StageRoot } from './isolation.js';
import { type KeptPaths, relativeToRoot } from './kept-paths.js';
import { SandboxError } from './sandbox.js';

export interface InPlaceIsolationOptions {
  /** The root filesystem the build takes over: '/'. */
  root: string;
  kept: KeptPaths;
  workspace: Workspace;
  xattrs: XattrAccess | undefined;
  log: Logger;
  /** Kiln's own Node (starts RUNs of users with supplementary groups). */
  node?: string;
  /** Empty the root at the end even when the build succeeded (kaniko --cleanup). */
  cleanup?: boolean;
}

export class InPlaceIsolation implements Isolation {
  readonly oneStageAtATime = true;
  /** The root whose files are on `/`. */
  private occupant: InPlaceRoot | undefined;
  private readonly roots: InPlaceRoot[] = [];
  /** `/` still holds what was there before the build (the container's files, an earlier build's). */
  private pristine = true;
  /** A copy of those files in the workspace (put back by dispose() after a failure or with --cleanup). */
  private saved: string | undefined;

  constructor(readonly opts: InPlaceIsolationOptions) {}

  async createRoot(name: string, purpose: 'stage' | 'source' = 'stage'): Promise<StageRoot> {
    const root = new InPlaceRoot(this, name);
    // Only read: its files go into the workspace, and never onto `/`.
    if (purpose === 'source') root.finished = true;
    else {
      // One stage at a time: the stages created before this one are finished.
      for (const r of this.roots) r.finished = true;
      this.roots.push(root);
    }
    return root;
  }

  warmUp(): void {}

  /**
   * `/` keeps the last stage's files (as with kaniko), unless the build
   * failed or --cleanup: then the container's own files are put back.
   */
  async dispose(outcome: { failed: boolean }): Promise<void> {
    if (this.pristine || !(outcome.failed || this.opts.cleanup)) return;
    const started = Date.now();
    const { root, kept, log } = this.opts;
    clearRoot(root, kept);
    this.occupant = undefined;
    if (this.saved) restoreRoot(this.saved, root, kept);
    log.debug(`in-place: ${root} back as the container had it in ${Date.now() - started} ms`);
  }

  /** Puts `root`'s files on `/` (up to `image`): what was there moves aside, or is taken over. */
  async take(root: InPlaceRoot, image: Image): Promise<ImageDir> {
    const { opts } = this;
    const prev = this.occupant;
    const files = await ImageDir.create(opts.root, opts.xattrs, opts.log, opts.kept);
    if (prev?.image && isPrefix(prev.image, image)) {
      // FROM the previous stage: its files are this stage's start.
      files.caughtUp(prev.image);
      root.adopt(prev.handOver());
    } else if (prev) {
      await prev.moveAside();
    } else if (this.pristine) {
      const started = Date.now();
      const dir = await opts.workspace.dir('container-files');
      if (saveRoot(opts.root, opts.kept, dir, SAVE_LIMIT)) this.saved = dir;
      else {
        opts.log.warn(
          `the container's own files outside the kept paths hold over ${SAVE_LIMIT >> 20} MiB (an earlier build's?): they are not kept to be put back after this build`,
        );
      }
      clearRoot(opts.root, opts.kept);
      opts.log.debug(`in-place: cleared ${opts.root} in ${Date.now() - started} ms`);
    }
    this.pristine = false;
    this.occupant = root;
    return files;
  }

  /** `root` no longer has its files on `/`. */
  left(root: InPlaceRoot): void {
    if (this.occupant === root) this.occupant = undefined;
  }

  isOccupant(root: InPlaceRoot): boolean {
    return this.occupant === root;
  }
}

/** The container's own files are put back after the build only up to this size. */
const SAVE_LIMIT = 256 << 20;

function isPrefix(prefix: Image, image: Image): boolean {
  const a = prefix.layers;
  const b = image.layers;
  return a.length <= b.length && a.every((l, i) => l.digest === b[i]!.digest);
}

/** A stage: on `/` while it builds; afterwards in the workspace (moved aside or extracted) when read. */
class InPlaceRoot implements StageRoot {
  /** Set when a later stage was created: reads go to the workspace from then on. */
  finished = false;
  /** The image whose files are on `/` (or aside) now. */
  image: Image | undefined;
  /** The files on `/` while this stage occupies it. */
  private onRoot: ImageDir | undefined;
  /** The files in the workspace once `/` went to another stage. */
  private aside: ImageDir | undefined;
  private snapshotter: InPlaceSnapshotter | undefined;

  constructor(
    private readonly isolation: InPlaceIsolation,
    private readonly name: string,
  ) {}

  get dir(): string {
    return this.aside?.dir ?? this.isolation.opts.root;
  }

  async materialize(image: Image, label: string): Promise<void> {
    if (this.finished) {
      // Read by a later stage (COPY --from): never from `/`, which that stage is about to take.
      if (this.isolation.isOccupant(this)) await this.moveAside();
      if (!this.aside) {
        const { opts } = this.isolation;
        const dir = await opts.workspace.dir(`${this.name}-files`);
        this.aside = await ImageDir.create(dir, opts.xattrs, opts.log);
      }
      await this.aside.materialize(image, label);
      return;
    }
    if (!this.onRoot || !this.isolation.isOccupant(this)) {
      this.onRoot = await this.isolation.take(this, image);
    }
    const before = this.onRoot.generation;
    await this.onRoot.materialize(image, label);
    if (this.onRoot.generation !== before) this.snapshotter = undefined;
    this.image = image;
  }

  caughtUp(image: Image): void {
    this.image = image;
    (this.onRoot ?? this.aside)?.caughtUp(image);
  }

  refuseWrite(rel: string): string | undefined {
    if (this.aside || !rel) return undefined;
    const kept = this.isolation.opts.kept.covering(rel);
    return kept === undefined
      ? undefined
      : `/${kept} is kept out of this in-place build (a mount point of the container, or Kiln's own files): a step cannot write there; use another path in the image`;
  }

  async noteChanges(changes: ChangeSet): Promise<void> {
    await this.snapshotter?.noteChanges(changes);
  }

  async run(spec: RootRunSpec): Promise<RunStep> {
    const { opts } = this.isolation;
    if (!this.isolation.isOccupant(this))
      throw new Error(`internal: RUN in ${this.name}, whose files are not on /`);
    const refused = refusedInPlace(spec);
    if (refused) throw new SandboxError(refused);
    this.snapshotter ??= new InPlaceSnapshotter({
      root: opts.root,
      kept: opts.kept,
      probeDir: opts.workspace.root,
      log: opts.log,
    });
    const keptCwd = opts.kept.covering(relativeToRoot(spec.cwd));
    if (keptCwd !== undefined) {
      opts.log.warn(
        `RUN in ${spec.cwd}: /${keptCwd} is kept out of this in-place build (a mount point, or Kiln's own files), so what the RUN writes there is not in the image; use a WORKDIR outside it`,
      );
    }
    const { home, ...rest } = spec;
    const node = opts.node;
    const snapshotter = this.snapshotter;
    return runStep({
      sandbox: {
        run: async (s) => {
          const mounts = await placeMounts(s.runMounts ?? [], {
            root: opts.root,
            kept: opts.kept,
            holdDir: () => opts.workspace.dir('mount-targets'),
            log: opts.log,
          });
          try {
            return await runInPlace(
              { ...s, ...(home === undefined ? {} : { home }) },
              { root: opts.root, ...(node ? { node } : {}) },
            );
          } finally {
            snapshotter.settle(await mounts.remove());
          }
        },
      },
      snapshotter,
      spec: rest,
      ...(home === undefined ? {} : { home }),
    });
  }

  /** A stage built FROM this one takes the files on `/` over (with the index of them). */
  handOver(): InPlaceSnapshotter | undefined {
    const s = this.snapshotter;
    this.snapshotter = undefined;
    this.onRoot = undefined;
    this.isolation.left(this);
    return s;
  }

  adopt(snapshotter: InPlaceSnapshotter | undefined): void {
    this.snapshotter = snapshotter;
  }

  /** Moves the files on `/` into the workspace (deleting them when a rename fails). */
  async moveAside(): Promise<void> {
    const { opts } = this.isolation;
    const image = this.image;
    this.onRoot = undefined;
    this.snapshotter = undefined;
    this.isolation.left(this);
    const started = Date.now();
    const dir = await opts.workspace.dir(`${this.name}-files`);
    if (image && moveAside(opts.root, opts.kept, dir)) {
      this.aside = await ImageDir.create(dir, opts.xattrs, opts.log);
      this.aside.caughtUp(image);
      opts.log.debug(`in-place: ${this.name} moved aside in ${Date.now() - started} ms`);
      return;
    }
    await removeInBackground(dir);
    clearRoot(opts.root, opts.kept);
    opts.log.debug(`in-place: ${this.name} cleared from ${opts.root} in ${Date.now() - started} ms`);
  }

  async release(): Promise<void> {
    if (this.aside) await removeInBackground(this.aside.dir);
  }
}
