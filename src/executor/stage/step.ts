/**
 * What a filesystem step (RUN, COPY/ADD, WORKDIR) sees of its stage, what it
 * gives back, and the cache-aware wrapper every such step goes through: look
 * the step's key up, apply a hit without running anything, otherwise produce
 * the layer and store it in the cache in the background. A step never
 * changes its stage: it returns the stage's next image and key.
 */
import type { ChangeSet } from '../../archive/changes.js';
import { CacheKeyBuilder } from '../../cache/key.js';
import { MissReason } from '../../cache/layer-cache.js';
import type { StageScope } from '../../dockerfile/scope.js';
import type { Layer } from '../../image/blob.js';
import type { Compression } from '../../image/compression.js';
import type { Image } from '../../image/image.js';
import type { StageRoot } from '../isolation/isolation.js';
import type { CacheStatus } from '../result.js';
import type { BuildSession } from '../session.js';

/** The stage a step runs in. */
export interface StepEnv {
  readonly session: BuildSession;
  /** `[name 2/5]`-style prefix for logs. */
  readonly label: string;
  /**
   * How this stage stores its layers: the build's compression when they can
   * reach a pushed image or the cache; 'none' for stages only read through
   * COPY --from (never uploaded, so compressing them is wasted time).
   */
  readonly layerCompression: Compression;
  readonly root: StageRoot;
  /** The stage's image before this step. */
  readonly image: Image;
  /** Cache key of the stage so far (its base, then each filesystem step). */
  readonly key: string;
  readonly scope: StageScope;
  /** This step or a later one of the stage is a RUN (a miss then starts choosing the RUN sandbox at once). */
  readonly runAhead?: boolean;
}

/** What a step gives back to its stage. */
export interface StepResult {
  image: Image;
  key: string;
  cache: CacheStatus;
  /** Why the cache lookup missed. */
  reason?: string;
  layer?: Layer;
}

/** Brings the stage root up to the step's image (extracts what it lacks). */
export function materialize(env: StepEnv, image: Image = env.image): Promise<void> {
  return env.root.materialize(image, env.label);
}

/** Tells the root about files the step wrote itself (COPY/ADD, WORKDIR). */
export function noteWritten(env: StepEnv, paths: string[]): Promise<void> {
  const changes: ChangeSet = {
    sourceRoot: env.root.dir,
    changes: paths.map((path) => ({ kind: 'add' as const, path })),
  };
  return env.root.noteChanges(changes);
}

export interface FilesystemStep {
  /** History `created_by`. */
  createdBy: string;
  /** Fields of the step's cache key (chained on the stage's key). */
  fields: (k: CacheKeyBuilder) => void;
  /** False when the user turned caching of this kind of step off. */
  cacheable: boolean;
  /**
   * Does the work on a miss and returns the layer, or undefined when
   * nothing changed (the step then has no layer, as with Docker).
   */
  produce: () => Promise<Layer | undefined>;
  /** The image the step applies to when it is not env.image (WORKDIR edits the config first). */
  image?: Image;
}

export async function filesystemStep(env: StepEnv, step: FilesystemStep): Promise<StepResult> {
  const { session } = env;
  const base = step.image ?? env.image;
  const builder = new CacheKeyBuilder(env.key);
  step.fields(builder);
  const key = builder.digest();
  const history = { created: session.created, created_by: step.createdBy };
  const cache = step.cacheable ? session.cache : undefined;
  let reason: string | undefined;
  if (cache) {
    const found = await cache.lookup(key);
    if (found.hit) {
      const image = found.layer ? base.appendLayer(found.layer, history) : base.addHistory(history);
      return { image, key, cache: 'hit', ...(found.layer ? { layer: found.layer } : {}) };
    }
    reason = found.reason;
    // "no entry" is no reason: what changed since the last build is.
    if (reason === MissReason.noEntry && cache.explain) reason = await cache.explain(builder.trace());
    session.log.info(`${env.label} cache miss (${reason}): ${step.createdBy}`);
    // Every later step misses too: the RUN ahead will need the sandbox.
    if (env.runAhead) session.isolation.warmUp();
  }
  const layer = await step.produce();
  const image = layer ? base.appendLayer(layer, history) : base.addHistory(history);
  env.root.caughtUp(image);
  cache?.store(key, layer, builder.trace());
  return {
    image,
    key,
    cache: cache ? 'miss' : 'off',
    ...(reason ? { reason } : {}),
    ...(layer ? { layer } : {}),
  };
}
