/**
 * A cache used one way only: read-only looks up and stores nothing (kaniko's
 * --no-push-cache, build-push-action's cache-from without cache-to);
 * write-only looks nothing up and stores every step (build-push-action's
 * no-cache with a cache-to).
 */
import type { Layer } from '../image/blob.js';
import type { KeyTrace } from './key-trace.js';
import type { CacheLookup, LayerCache } from './layer-cache.js';

export type CacheMode = 'read-write' | 'read-only' | 'write-only';

/** Why a write-only cache missed. */
export const NO_LOOKUP = 'no-cache: not looked up';

export function withMode(cache: LayerCache, mode: CacheMode): LayerCache {
  if (mode === 'read-write') return cache;
  const view: LayerCache = {
    name: `${cache.name} (${mode})`,
    lookup: (key: string): Promise<CacheLookup> =>
      mode === 'write-only' ? Promise.resolve({ hit: false, reason: NO_LOOKUP }) : cache.lookup(key),
    store: (key: string, layer: Layer | undefined, trace?: KeyTrace) => {
      if (mode !== 'read-only') cache.store(key, layer, trace);
    },
    flush: () => cache.flush(),
    ...(cache.keepLayer ? { keepLayer: (l: Layer) => cache.keepLayer!(l) } : {}),
    ...(cache.previousTrace ? { previousTrace: (p: string) => cache.previousTrace!(p) } : {}),
    ...(cache.mountSource ? { mountSource: cache.mountSource } : {}),
    ...(cache.fileDigests ? { fileDigests: cache.fileDigests } : {}),
  };
  return view;
}
