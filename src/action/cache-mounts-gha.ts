/**
 * `cache_mounts: true`: the content of RUN --mount=type=cache directories
 * travels between runs in the GitHub Actions cache, as one archive the
 * build loads before it starts and writes when it ends (see
 * executor/mounts/cache-mount-archive.ts; as root, owners are kept). Saved
 * under a key per commit, restored from the newest entry of the scope, and
 * not saved again when the archive did not change. Every failure is a
 * warning: the build never fails because of the cache.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as actionsCache from '@actions/cache';
import type { Logger } from '../log.js';
import type { ActionsCacheApi } from './gha-cache.js';

export interface CacheMountsPlan {
  /** The archive the build loads and writes (options.cacheMounts.archive). */
  archive: string;
  key: string;
  restoreKeys: string[];
}

export interface CacheMountsRestore {
  matchedKey?: string;
  /** sha256 of the archive after the restore; undefined when there was none. */
  digest?: string;
}

async function digestOf(file: string): Promise<string | undefined> {
  try {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
    return h.digest('hex');
  } catch {
    return undefined;
  }
}

const UNAVAILABLE =
  'cache_mounts: the GitHub Actions cache service is not available here (ACTIONS_RESULTS_URL / ACTIONS_CACHE_URL are unset)';

export async function restoreCacheMounts(
  plan: CacheMountsPlan,
  log: Logger,
  api: ActionsCacheApi = actionsCache,
): Promise<CacheMountsRestore> {
  try {
    await fs.mkdir(path.dirname(plan.archive), { recursive: true });
    if (!api.isFeatureAvailable()) {
      log.warn(`${UNAVAILABLE}; cache mounts start empty`);
      return {};
    }
    const matchedKey = await api.restoreCache([plan.archive], plan.key, plan.restoreKeys);
    if (!matchedKey) {
      log.info(`cache mounts: no GitHub Actions cache entry for ${plan.key} yet; they start empty`);
      return {};
    }
    log.info(`cache mounts restored from the GitHub Actions cache (${matchedKey})`);
    const digest = await digestOf(plan.archive);
    return { matchedKey, ...(digest ? { digest } : {}) };
  } catch (e) {
    log.warn(
      `cache_mounts: restoring from the GitHub Actions cache failed, starting empty: ${(e as Error).message}`,
    );
    return {};
  }
}

export async function saveCacheMounts(
  plan: CacheMountsPlan,
  log: Logger,
  restored: CacheMountsRestore,
  api: ActionsCacheApi = actionsCache,
): Promise<boolean> {
  try {
    const digest = await digestOf(plan.archive);
    if (!digest) {
      log.info('cache mounts: no RUN used a cache mount; nothing to save');
      return false;
    }
    if (restored.matchedKey === plan.key) {
      log.info(`cache mounts: the GitHub Actions cache already holds ${plan.key}; not saving it again`);
      return false;
    }
    if (restored.digest === digest) {
      log.info(`cache mounts: unchanged since ${restored.matchedKey} was restored; not saving`);
      return false;
    }
    if (!api.isFeatureAvailable()) {
      log.warn(`${UNAVAILABLE}; cache mounts are not saved`);
      return false;
    }
    const id = await api.saveCache([plan.archive], plan.key);
    if (id === -1) {
      log.warn(
        `cache mounts: saving to the GitHub Actions cache as ${plan.key} did not complete (see above)`,
      );
      return false;
    }
    log.info(`cache mounts saved to the GitHub Actions cache as ${plan.key}`);
    return true;
  } catch (e) {
    log.warn(`cache_mounts: saving to the GitHub Actions cache failed: ${(e as Error).message}`);
    return false;
  }
}
