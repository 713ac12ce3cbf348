/**
 * OCI image indexes made by Kiln: one per multi-platform build (build.ts)
 * and per `kiln index create`. Both go through indexOf(), so the same
 * per-platform manifests in the same order give the same bytes, and so the
 * same digest, whichever way the index was assembled. The entries carry the
 * platform of each image's config (normalised), nothing else, as
 * `docker buildx imagetools create` writes them.
 */
import { encodeIndex } from './canonical-json.js';
import { type Digest, sha256 } from './digest.js';
import type { Descriptor, ImageIndex, Platform } from './manifest.js';
import { MediaType } from './media-types.js';
import { formatPlatform, imageEntries, normalizePlatform } from './platform.js';

export class ImageIndexError extends Error {
  override name = 'ImageIndexError';
}

/** An index as stored: its exact bytes, digest and parsed form. */
export interface BuiltIndex {
  bytes: Buffer;
  digest: Digest;
  mediaType: string;
  index: ImageIndex;
}

/** The index entry of an image manifest for `platform`. */
export function indexEntry(
  manifest: Pick<Descriptor, 'mediaType' | 'digest' | 'size'>,
  platform: Platform,
): Descriptor {
  const p = normalizePlatform(platform);
  const out: Platform = { architecture: p.architecture, os: p.os };
  if (p['os.version']) out['os.version'] = p['os.version'];
  if (p['os.features']?.length) out['os.features'] = [...p['os.features']];
  if (p.variant) out.variant = p.variant;
  return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, platform: out };
}

/**
 * The OCI index of these entries, in this order. Two entries for the same
 * platform are an error (a client could not choose between them), as is an
 * empty list.
 */
export function indexOf(entries: readonly Descriptor[]): BuiltIndex {
  if (entries.length === 0) throw new ImageIndexError('an image index needs at least one manifest');
  const seen = new Map<string, Digest>();
  const images = new Set(imageEntries({ schemaVersion: 2, manifests: [...entries] }));
  for (const e of entries) {
    // Attestation manifests (unknown/unknown) may repeat.
    if (!e.platform || !images.has(e)) continue;
    const p = formatPlatform(e.platform) + (e.platform['os.version'] ? ` (${e.platform['os.version']})` : '');
    const other = seen.get(p);
    if (other !== undefined && other !== e.digest) {
      throw new ImageIndexError(
        `two manifests for platform ${p} (${other} and ${e.digest}): an index holds one image per platform`,
      );
    }
    seen.set(p, e.digest);
  }
  const unique = entries.filter((e, i) => entries.findIndex((x) => x.digest === e.digest) === i);
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: unique.map((e) => structuredClone(e)),
  };
  const bytes = Buffer.from(encodeIndex(index));
  return { bytes, digest: sha256(bytes), mediaType: MediaType.OciIndex, index };
}
