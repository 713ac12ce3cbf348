/**
 * Misses that say why (key-trace.ts). The cache the executor gets is
 * wrapped once per build: it remembers which keys this build produced (its
 * misses) and which it found, so that a step whose lookup found no entry
 * can be told apart as
 *  - after an earlier step that changed in this build: "an earlier step changed";
 *  - on an unchanged parent: what differs from the trace last stored there
 *    ("file app/main.go changed", "variable VERSION changed", "command changed");
 *  - on a base with nothing cached after it: the base image or the build
 *    settings changed, or nothing was ever built on it.
 */
import type { Layer } from '../image/blob.js';
import { explainDifference, type KeyTrace } from './key-trace.js';
import type { CacheLookup, LayerCache } from './layer-cache.js';

export const EarlierStepChanged = 'an earlier step changed';
export const NothingAfterBase =
  'nothing cached after this base image: it changed, or this is its first build';
export const NothingToCompare = 'no entry, and no earlier one to compare with';

export function explaining(cache: LayerCache): LayerCache {
  const produced = new Set<string>();
  const found = new Set<string>();
  return {
    name: cache.name,
    async lookup(key: string): Promise<CacheLookup> {
      const r = await cache.lookup(key);
      if (r.hit) found.add(key);
      return r;
    },
    store(key: string, layer: Layer | undefined, trace?: KeyTrace) {
      produced.add(key);
      cache.store(key, layer, trace);
    },
    async explain(trace: KeyTrace): Promise<string> {
      if (produced.has(trace.parent)) return EarlierStepChanged;
      const before = await cache.previousTrace?.(trace.parent).catch(() => undefined);
      if (before) return explainDifference(before, trace);
      return found.has(trace.parent) ? NothingToCompare : NothingAfterBase;
    },
    flush: () => cache.flush(),
    ...(cache.keepLayer ? { keepLayer: (l: Layer) => cache.keepLayer!(l) } : {}),
    ...(cache.previousTrace ? { previousTrace: (p: string) => cache.previousTrace!(p) } : {}),
    ...(cache.mountSource ? { mountSource: cache.mountSource } : {}),
    ...(cache.fileDigests ? { fileDigests: cache.fileDigests } : {}),
  };
}
