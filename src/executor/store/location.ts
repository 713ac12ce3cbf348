/**
 * Where the snapshot store lives when the user does not say (--store):
 * below --cache-dir when one is given (a Kubernetes builder mounts one
 * volume there, as kaniko's base image cache lived there), else in the
 * user's cache directory, as other build tools keep theirs.
 */
import os from 'node:os';
import path from 'node:path';
import { parseSize } from './collect.js';

/** --store-max default: least recently used layers go beyond it. */
export const DEFAULT_STORE_MAX = 5 * 1024 ** 3;
export const DEFAULT_STORE_MAX_TEXT = '5GiB';

/** `$XDG_CACHE_HOME/kiln/store`, else `~/.cache/kiln/store`; `<cacheDir>/store` when a cache dir is given. */
export function defaultStoreDir(env: NodeJS.ProcessEnv, cacheDir?: string): string {
  if (cacheDir) return path.join(cacheDir, 'store');
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'kiln', 'store');
  return path.join(
    env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir(),
    '.cache',
    'kiln',
    'store',
  );
}

/** A --store-max value in bytes, or the error to show. */
export function storeMaxBytes(text: string): number | string {
  const n = parseSize(text);
  if (n === undefined || n <= 0) return `"${text}" is not a size (e.g. 5GiB, 500MiB, 2G)`;
  return n;
}
