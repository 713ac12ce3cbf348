/**
 * "Unchanged" for a multi-platform build: a destination holds the same
 * index when it holds an index of exactly the same platforms and, platform
 * by platform, the same image as unchanged.ts compares images (same layers,
 * same config apart from the ignored labels and timestamps).
 */
import type { Image } from '../image/image.js';
import type { BuiltIndex } from '../image/image-index.js';
import type { ImageIndex } from '../image/manifest.js';
import { isIndexMediaType } from '../image/media-types.js';
import { formatPlatform, imageEntries, selectManifest } from '../image/platform.js';
import type { Reference } from '../image/reference.js';
import type { RegistryClient } from '../registry/client.js';
import { type Comparison, compareWithDestinations } from './unchanged.js';

export async function compareIndexWithDestinations(
  registry: RegistryClient,
  artifact: { index: BuiltIndex; images: readonly Image[] },
  destinations: readonly Reference[],
  ignoreLabels: readonly string[],
): Promise<Comparison> {
  const mine = artifact.images.map((i) => formatPlatform(i.platform)).sort();
  const compared: Comparison['compared'] = [];
  for (const d of destinations) {
    const held = await registry.getManifest(d).catch(() => undefined);
    if (!held) continue;
    const standing = {
      reference: d.toString(),
      digest: held.digest,
      mediaType: held.mediaType,
      size: held.bytes.length,
    };
    let why: string | undefined;
    if (held.digest === artifact.index.digest) {
      // The same index: the same images.
    } else if (!isIndexMediaType(held.mediaType)) why = 'it holds one image, not an index';
    else {
      const index = JSON.parse(held.bytes.toString('utf8')) as ImageIndex;
      const theirs = imageEntries(index)
        .map((e) => formatPlatform(e.platform!))
        .sort();
      if (theirs.join(',') !== mine.join(',')) why = `its platforms are ${theirs.join(', ')}`;
      for (const image of artifact.images) {
        if (why) break;
        // The index names each platform's image: only a different one is fetched and compared.
        const entry = selectManifest(index, image.platform);
        if (entry.digest === image.digest()) continue;
        const c = await compareWithDestinations(registry, image, [d.withDigest(entry.digest)], ignoreLabels);
        if (!c.unchanged) why = `${formatPlatform(image.platform)}: ${c.compared[0]?.why ?? 'differs'}`;
      }
    }
    compared.push({ ...standing, same: why === undefined, ...(why ? { why } : {}) });
  }
  return { compared, unchanged: compared.length > 0 && compared.every((c) => c.same) };
}
