/**
 * The layer cache a build uses, from its own CacheConfig (the executor maps
 * its build options onto it): a repository gives the registry backend, a
 * directory the local one (which also keeps base image layers); both
 * together look locally first. The action's GitHub Actions backend is the
 * local one, restored and saved around the build (action/gha-cache.ts).
 */
import { setting } from '../hints.js';
import { parseReference, type Reference } from '../image/reference.js';
import type { Logger } from '../log.js';
import type { RegistryClient } from '../registry/client.js';
import { type CacheMode, withMode } from './cache-mode.js';
import { explaining } from './explain.js';
import type { LayerCache } from './layer-cache.js';
import { LocalLayerCache } from './local-cache.js';
import { RegistryLayerCache } from './registry-cache.js';
import { TieredLayerCache } from './tiered-cache.js';

/** Entries older than this are ignored unless configured otherwise: two weeks, as kaniko. */
export const DEFAULT_CACHE_TTL_MS = 14 * 24 * 3600 * 1000;

/** Where the layer cache lives. */
export interface CacheConfig {
  /** Registry repository for cached layers (no tag, no digest). */
  repo?: string;
  /** Local directory. */
  dir?: string;
  /** Entries older than this are ignored, in ms. */
  ttlMs: number;
  /** Default read-write. */
  mode?: CacheMode;
}

export interface CacheDeps {
  /** Undefined: no cache. */
  config: CacheConfig | undefined;
  registry: RegistryClient;
  log: Logger;
  /** Clock for entry times and the TTL. */
  now?: () => Date;
}

export async function createLayerCache(deps: CacheDeps): Promise<LayerCache | undefined> {
  const { config: c, log } = deps;
  if (!c) return undefined;
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
      log.warn(
        `${setting('cache-repo')} ${c.repo}: ${(e as Error).message}; building without the registry cache`,
      );
    }
    if (repo?.tag || repo?.digest) {
      log.warn(
        `${setting('cache-repo')} ${c.repo} names a tag or digest; name a repository only. Building without it`,
      );
      repo = undefined;
    }
    if (repo) remote = new RegistryLayerCache({ registry: deps.registry, repo, ttlMs: c.ttlMs, now, log });
  }

  const both = local && remote ? new TieredLayerCache(local, remote) : (local ?? remote);
  const cache = both && explaining(withMode(both, c.mode ?? 'read-write'));
  if (!cache) {
    if (!c.dir && !c.repo) {
      log.warn(
        `${setting('cache')}: no ${setting('cache-repo')}, ${setting('cache-dir')} or ${setting('destination')} to derive a cache repository from; building without the cache`,
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

/**
 * kaniko's default cache repository, and the action's: `<repository>/cache`
 * of the first reference (a destination, or a bare repository name).
 */
export function defaultCacheRepo(references: readonly string[]): string | undefined {
  const first = references[0];
  if (!first) return undefined;
  try {
    return `${parseReference(first).name}/cache`;
  } catch {
    return undefined;
  }
}
