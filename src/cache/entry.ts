/**
 * What a cache entry records, whatever the backend: when it was made (for
 * the TTL) and the layer's descriptor, or nothing when the step made no
 * change.
 */
import { type Digest, parseDigest } from '../image/digest.js';

export interface EntryLayer {
  mediaType: string;
  digest: Digest;
  diffId: Digest;
  size: number;
}

export interface CacheEntry {
  /** RFC 3339. */
  created: string;
  layer?: EntryLayer;
}

/** Undefined when `created` is fresh; 'expired' or 'invalid entry' otherwise. */
export function staleness(
  created: unknown,
  ttlMs: number,
  now: Date,
): 'expired' | 'invalid entry' | undefined {
  if (typeof created !== 'string') return 'invalid entry';
  const t = Date.parse(created);
  if (!Number.isFinite(t)) return 'invalid entry';
  return now.getTime() - t > ttlMs ? 'expired' : undefined;
}

/** Parses and checks an entry read from disk; throws on anything malformed. */
export function parseEntry(text: string): CacheEntry {
  const raw = JSON.parse(text) as Partial<CacheEntry>;
  if (typeof raw.created !== 'string') throw new Error('the entry has no created time');
  if (raw.layer === undefined) return { created: raw.created };
  const l = raw.layer;
  if (typeof l.mediaType !== 'string' || !Number.isSafeInteger(l.size) || l.size < 0) {
    throw new Error('the entry has a malformed layer');
  }
  return {
    created: raw.created,
    layer: {
      mediaType: l.mediaType,
      digest: parseDigest(String(l.digest)),
      diffId: parseDigest(String(l.diffId)),
      size: l.size,
    },
  };
}
