/**
 * How a build with a snapshot store keeps its stage roots, chosen once, when
 * a step first reads a root (a build whose steps all hit the cache never
 * opens the store):
 * - overlay (root, chroot RUN, an overlay mounts in the store): roots are
 *   overlays of stored layers (store-root.ts);
 * - trees (anything else that can open the store): roots are workspace
 *   directories copied from stored whole trees (store/stored-trees.ts), by
 *   reflink where the filesystem clones files, else by plain copy;
 * - none (the store cannot be opened): extraction into the workspace.
 * The log says which, and why.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import type { ChangeSet } from '../../archive/changes.js';
import type { Image } from '../../image/image.js';
import type { Logger } from '../../log.js';
import type { BuildOptions, IsolationRequest, SnapshotMode } from '../options.js';
import type { RunStep } from '../snapshot/run-step.js';
import { probeOverlay } from '../snapshot/select.js';
import { SnapshotStore } from '../store/snapshot-store.js';
import { probeReflink, StoredTrees } from '../store/stored-trees.js';
import type { RootRunSpec, StageRoot } from './isolation.js';

export type StoreChoice =
  | { store: SnapshotStore; trees?: undefined }
  | { store: SnapshotStore; trees: StoredTrees; why: string }
  /** No store: why. */
  | string;

export interface StoreChoiceOptions {
  store: BuildOptions['store'];
  requested: IsolationRequest;
  snapshotMode: SnapshotMode;
  log: Logger;
}

/** Opens the store, and finds whether stage roots can be overlays of it here. */
export async function chooseStore(opts: StoreChoiceOptions): Promise<StoreChoice> {
  if (!opts.store) return 'no --store';
  let store: SnapshotStore;
  try {
    store = await SnapshotStore.open(opts.store, opts.log);
  } catch (e) {
    return (e as Error).message;
  }
  const noOverlay = await whyNoOverlay(store, opts);
  if (noOverlay === undefined) return { store };
  const t = await store.temp('probe');
  const method = await probeReflink(t.dir);
  await store.dropTemp(t);
  return { store, trees: new StoredTrees(store, method, opts.log), why: noOverlay };
}

async function whyNoOverlay(store: SnapshotStore, opts: StoreChoiceOptions): Promise<string | undefined> {
  if (process.geteuid?.() !== 0) return 'overlay mounts need root';
  if (opts.requested === 'rootless') return 'RUN runs rootless (--isolation rootless)';
  if (opts.snapshotMode === 'walk') return '--snapshot-mode walk';
  // A probe mount once per kernel: the store remembers that overlay works there.
  const mark = join(store.layout.root, 'overlay-ok');
  const works = `${release()} ${(await stat(store.layout.tmp)).dev}\n`;
  if ((await readFile(mark, 'utf8').catch(() => '')) === works) return undefined;
  const t = await store.temp('probe');
  const probe = await probeOverlay(t.dir);
  await store.dropTemp(t);
  if (probe !== true) return `overlay does not mount in ${store.settings.dir}: ${probe}`;
  await writeFile(mark, works);
  return undefined;
}

/** The log line saying what was chosen. */
export function describeChoice(choice: StoreChoice): string {
  if (typeof choice === 'string')
    return `snapshot store: not used (${choice}); extracting into the workspace`;
  const dir = choice.store.settings.dir;
  if (!choice.trees) return `snapshot store: ${dir} (stage roots are overlays of stored layers)`;
  const how = choice.trees.method === 'reflink' ? 'reflinks' : 'plain copies: no reflinks on this filesystem';
  return `snapshot store: ${dir} (no overlay: ${choice.why}; stage roots start from stored trees, by ${how})`;
}

/** A stage root whose kind is chosen when a step first reads it (a build of cache hits never chooses). */
export class DeferredRoot implements StageRoot {
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

  refuseWrite(rel: string): string | undefined {
    return this.impl?.refuseWrite(rel);
  }

  noteChanges(changes: ChangeSet): Promise<void> {
    return this.root.noteChanges(changes);
  }

  run(spec: RootRunSpec): Promise<RunStep> {
    return this.root.run(spec);
  }

  /** A root no step read is an empty directory: the workspace's removal takes it. */
  async release(): Promise<void> {
    await this.impl?.release();
  }
}
