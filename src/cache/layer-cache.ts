/**
 * The layer cache the executor talks to: look a step's key up, store what a
 * step produced. Backends (registry repository, local directory, GitHub
 * Actions cache) implement it; a store runs in the background and a failing
 * one is a warning, never a failed build.
 */
import type { Layer } from '../image/blob.js';

export type CacheLookup =
  /** `layer` undefined: the step made no change (no layer), as recorded. */
  { hit: true; layer: Layer | undefined } | { hit: false; reason: string };

export interface LayerCache {
  /** Human name for logs: `registry ghcr.io/o/r/cache`, `directory /tmp/c`. */
  readonly name: string;
  lookup(key: string): Promise<CacheLookup>;
  /** Starts storing in the background; never throws. */
  store(key: string, layer: Layer | undefined): void;
  /** Waits for background stores; returns their warnings. */
  flush(): Promise<string[]>;
}
