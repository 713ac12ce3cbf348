/**
 * What a step implementation (RUN, COPY/ADD, WORKDIR) sees of its stage,
 * and the cache-aware wrapper every filesystem step goes through: look the
 * step's key up, apply a hit without running anything, otherwise produce the
 * layer, apply it, and store it in the background.
 */
import type { ChangeSet } from '../../archive/changes.js';
import { CacheKeyBuilder } from '../../cache/key.js';
import type { StageScope } from '../../dockerfile/scope.js';
import type { Layer } from '../../image/blob.js';
import type { Compression } from '../../image/compression.js';
import type { Image } from '../../image/image.js';
import type { CacheStatus } from '../result.js';
import type { Snapshotter } from '../snapshot/snapshot.js';
import type { BuildContext } from './build-context.js';
import type { StageFilesystem } from './stage-fs.js';

export interface StageHost {
  readonly ctx: BuildContext;
  /** `[stage 1/3]`-style prefix for logs; the stage's name when it has one. */
  readonly label: string;
  readonly stageName: string;
  /**
   * How this stage stores its layers: gzip when they can reach a pushed
   * image or the cache; 'none' for stages only read through COPY --from
   * (their layers are never uploaded, so compressing them is wasted time).
   */
  readonly layerCompression: Compression;
  image: Image;
  readonly fs: StageFilesystem;
  readonly scope: StageScope;
  /** Cache key of the last filesystem step (or of the base). */
  key: string;
  /** Extracts whatever layers the stage's directory still lacks. */
  ensureFs(): Promise<void>;
  /** The stage's snapshotter (after ensureFs). */
  snapshotter(): Promise<Snapshotter>;
  /** Tells the snapshotter (if any) about files written directly (COPY/ADD, WORKDIR). */
  noteChanges(changes: ChangeSet): Promise<void>;
}

export interface StepOutcome {
  cache: CacheStatus;
  reason?: string;
  layer?: Layer;
}

/**
 * Runs one filesystem step. `fields` feed the step's cache key (chained on
 * the stage's key); `produce` does the work on a miss and returns the layer,
 * or undefined when nothing changed (the step then has no layer, as Docker).
 */
export async function filesystemStep(
  host: StageHost,
  createdBy: string,
  fields: (k: CacheKeyBuilder) => void,
  cacheable: boolean,
  produce: () => Promise<Layer | undefined>,
): Promise<StepOutcome> {
  const builder = new CacheKeyBuilder(host.key);
  fields(builder);
  const key = builder.digest();
  const history = { created: host.ctx.created, created_by: createdBy };
  const cache = cacheable ? host.ctx.cache : undefined;
  let reason: string | undefined;
  if (cache) {
    const found = await cache.lookup(key);
    if (found.hit) {
      host.image = found.layer
        ? host.image.appendLayer(found.layer, history)
        : host.image.addHistory(history);
      host.key = key;
      return { cache: 'hit', layer: found.layer };
    }
    reason = found.reason;
    host.ctx.log.info(`${host.label} cache miss (${reason}): ${createdBy}`);
  }
  const layer = await produce();
  host.image = layer ? host.image.appendLayer(layer, history) : host.image.addHistory(history);
  host.fs.caughtUp(host.image);
  host.key = key;
  cache?.store(key, layer);
  return { cache: cache ? 'miss' : 'off', reason, layer };
}
