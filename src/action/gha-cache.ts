/**
 * The GitHub Actions cache backend (`cache_backend: gha`): the build uses
 * the local directory backend, and the action restores that directory from
 * the Actions cache before the build and saves it after, with
 * @actions/cache. Key and restore keys come from toBuildOptions
 * (build-options.ts ghaCacheKeys). Every failure is a warning: the build never
 * fails because of the cache.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as actionsCache from '@actions/cache';
import { DEFAULT_CACHE_TTL_MS } from '../cache/create.js';
import { pruneCacheDir } from '../cache/prune.js';
import type { Logger } from '../log.js';

export interface GhaCachePlan {
  /** Directory to restore before the build and save after it (options.cache.dir). */
  dir: string;
  key: string;
  restoreKeys: string[];
  /** cache-from without cache-to: restore, never save. */
  readOnly?: boolean;
}

/** The part of @actions/cache used here (replaceable in tests of failure paths). */
export interface ActionsCacheApi {
  isFeatureAvailable(): boolean;
  restoreCache(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

export interface GhaRestore {
  /** The key whose entry was restored (the primary key or a restore-key match). */
  matchedKey?: string;
  /** What the directory held after the restore (to skip saving an unchanged one). */
  contents: string;
}

export interface GhaCacheOptions {
  api?: ActionsCacheApi;
  /** The cache TTL (entries older are pruned before saving). */
  ttlMs?: number;
}

async function listing(dir: string): Promise<string> {
  const names: string[] = [];
  for (const sub of ['entries', path.join('blobs', 'sha256')]) {
    for (const n of await fs.readdir(path.join(dir, sub)).catch(() => [] as string[]))
      names.push(`${sub}/${n}`);
  }
  return names.sort().join('\n');
}

function unavailable(log: Logger, what: string): void {
  log.warn(
    `cache_backend gha: the GitHub Actions cache service is not available here (ACTIONS_RESULTS_URL / ACTIONS_CACHE_URL are unset); ${what}`,
  );
}

/** Restores the cache directory; returns what was restored (to pass to saveGhaCache). */
export async function restoreGhaCache(
  plan: { ghaCache?: GhaCachePlan },
  log: Logger,
  opts: GhaCacheOptions = {},
): Promise<GhaRestore | undefined> {
  const g = plan.ghaCache;
  if (!g) return undefined;
  const api = opts.api ?? actionsCache;
  try {
    await fs.mkdir(g.dir, { recursive: true });
    if (!api.isFeatureAvailable()) {
      unavailable(log, 'building with an empty layer cache');
      return { contents: await listing(g.dir) };
    }
    const matchedKey = await api.restoreCache([g.dir], g.key, g.restoreKeys);
    if (matchedKey) log.info(`layer cache restored from the GitHub Actions cache (${matchedKey})`);
    else log.info(`no GitHub Actions cache entry for ${g.key} yet: the layer cache starts empty`);
    return { ...(matchedKey ? { matchedKey } : {}), contents: await listing(g.dir) };
  } catch (e) {
    log.warn(
      `restoring the layer cache from the GitHub Actions cache failed, building without it: ${(e as Error).message}`,
    );
    return undefined;
  }
}

/** Prunes and saves the cache directory, unless it is what was restored under the same or an older key unchanged. */
export async function saveGhaCache(
  plan: { ghaCache?: GhaCachePlan },
  log: Logger,
  restored?: GhaRestore,
  opts: GhaCacheOptions = {},
): Promise<boolean> {
  const g = plan.ghaCache;
  if (!g) return false;
  if (g.readOnly) {
    log.info('the GitHub Actions cache is read only (cache-from without cache-to): not saving');
    return false;
  }
  const api = opts.api ?? actionsCache;
  try {
    const pruned = await pruneCacheDir(g.dir, opts.ttlMs ?? DEFAULT_CACHE_TTL_MS);
    if (pruned.entries + pruned.blobs > 0) {
      log.info(
        `layer cache: pruned ${pruned.entries} expired entries and ${pruned.blobs} unused blobs (${(pruned.bytes / 1048576).toFixed(1)} MiB)`,
      );
    }
    if (restored?.matchedKey === g.key) {
      log.info(`the GitHub Actions cache already holds ${g.key}: not saving it again`);
      return false;
    }
    if (restored?.matchedKey && restored.contents === (await listing(g.dir))) {
      log.info(`the layer cache is unchanged since ${restored.matchedKey} was restored: not saving`);
      return false;
    }
    if (!api.isFeatureAvailable()) {
      unavailable(log, 'the layer cache is not saved');
      return false;
    }
    const id = await api.saveCache([g.dir], g.key);
    if (id === -1) {
      log.warn(`saving the layer cache to the GitHub Actions cache as ${g.key} did not complete (see above)`);
      return false;
    }
    log.info(`layer cache saved to the GitHub Actions cache as ${g.key}`);
    return true;
  } catch (e) {
    log.warn(`saving the layer cache to the GitHub Actions cache failed: ${(e as Error).message}`);
    return false;
  }
}
