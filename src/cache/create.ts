/**
 * The layer cache a build uses, from its options: undefined when caching is
 * off. --cache-repo gives the registry backend, --cache-dir the local one
 * (which also keeps base image layers); both together look locally first.
 * The GitHub Actions backend is the local one, restored and saved around
 * the build (gha.ts).
 */
import type { BuildOptions } from '../executor/options.js';
import { parseReference, type Reference } from '../image/reference.js';
import type { Logger } from '../log.js';
import type { RegistryClient } from '../registry/client.js';
import type { LayerCache } from './layer-cache.js';
import { LocalLayerCache } from './local-cache.js';
import { RegistryLayerCache } from './registry-cache.js';
import { TieredLayerCache } from './tiered-cache.js';

export interface CacheDeps {
  options: BuildOptions;
  registry: RegistryClient;
  log: Logger;
  /** Where the build keeps its files (for staging cache downloads). */
  workspaceRoot: string;
  /** Clock for entry times and the TTL. */
  now?: () => Date;
}

export async function createLayerCache(deps: CacheDeps): Promise<LayerCache | undefined> {
  const { options, log } = deps;
  const c = options.cache;
  if (!c.enabled) return undefined;
  const now = deps.now ?? (() => new Date());

  let local: LocalLayerCache | undefined;
  if (c.dir) {
    try {
      local = await LocalLayerCache.open({ dir: c.dir, ttlMs: c.ttlMs, now, log });
    } catch (e) {
      log.warn(`cache directory ${c.dir} is not usable, building without it: ${(e as Error).message}`);
    }
  }
  let remote: RegistryLayerCache | undefined;
  if (c.repo) {
    let repo: Reference | undefined;
    try {
      repo = parseReference(c.repo, { defaultTag: false });
    } catch (e) {
      log.warn(`--cache-repo ${c.repo}: ${(e as Error).message}; building without the registry cache`);
    }
    if (repo?.tag || repo?.digest) {
      log.warn(`--cache-repo ${c.repo} names a tag or digest; name a repository only. Building without it`);
      repo = undefined;
    }
    if (repo) remote = new RegistryLayerCache({ registry: deps.registry, repo, ttlMs: c.ttlMs, now, log });
  }

  const cache = local && remote ? new TieredLayerCache(local, remote) : (local ?? remote);
  if (!cache) {
    if (!c.dir && !c.repo) {
      log.warn(
        '--cache: no --cache-repo, --cache-dir or --destination to derive a cache repository from; building without the cache',
      );
    }
    return undefined;
  }
  const days = c.ttlMs / 86_400_000;
  log.info(
    `layer cache: ${cache.name} (entries expire after ${days >= 1 ? `${+days.toFixed(1)} days` : `${Math.round(c.ttlMs / 60000)} min`})`,
  );
  return cache;
}

/** kaniko's default cache repository: `<first destination's repository>/cache`. */
export function defaultCacheRepo(destinations: readonly string[]): string | undefined {
  const first = destinations[0];
  if (!first) return undefined;
  try {
    return `${parseReference(first).name}/cache`;
  } catch {
    return undefined;
  }
}
