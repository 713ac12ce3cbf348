/**
 * The layer cache the executor talks to: look a step's key up, store what a
 * step produced. Backends (registry repository, local directory, GitHub
 * Actions cache) implement it; a store runs in the background and a failing
 * one is a warning, never a failed build.
 */
import type { Layer } from '../image/blob.js';
import type { FileDigestMemo } from './file-digest-memo.js';
import type { KeyTrace } from './key-trace.js';

export type CacheLookup =
  /** `layer` undefined: the step made no change (no layer), as recorded. */
  { hit: true; layer: Layer | undefined } | { hit: false; reason: string };

/** Why a lookup missed; shown per step in the log and the summary. */
export const MissReason = {
  noEntry: 'no entry',
  expired: 'expired',
  unreachable: 'cache unreachable',
  denied: 'no entry (access denied)',
  invalid: 'invalid entry',
  blobMissing: 'layer missing from the cache',
} as const;

export interface LayerCache {
  /** Human name for logs: `registry ghcr.io/o/r/cache`, `directory /tmp/c`. */
  readonly name: string;
  lookup(key: string): Promise<CacheLookup>;
  /**
   * Starts storing in the background; never throws. `trace` (the key's
   * inputs) is kept as the last one stored under its parent key.
   */
  store(key: string, layer: Layer | undefined, trace?: KeyTrace): void;
  /** The trace last stored under a parent key (to explain a miss), if any. */
  previousTrace?(parent: string): Promise<KeyTrace | undefined>;
  /** Why a step whose lookup found no entry missed: what changed since the last build (explain.ts). */
  explain?(trace: KeyTrace): Promise<string>;
  /** Waits for background stores; returns their warnings. */
  flush(): Promise<string[]>;
  /**
   * A base image layer served from (and, on first read, kept in) local
   * storage, so a warm build does not pull it again. Absent: no local store.
   */
  keepLayer?(layer: Layer): Layer;
  /** Repository (on `registry`) whose blobs a push to that registry can mount. */
  readonly mountSource?: { registry: string; repository: string };
  /** Memo of file digests for hashing COPY sources, kept between builds. */
  readonly fileDigests?: FileDigestMemo;
}
