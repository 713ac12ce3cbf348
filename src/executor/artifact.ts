/**
 * What a build hands to its outputs: one image (one target platform, as
 * always), or an OCI image index of one image per target platform, in the
 * order the platforms were asked for.
 */
import type { Digest } from '../image/digest.js';
import type { Image } from '../image/image.js';
import { type BuiltIndex, indexEntry, indexOf } from '../image/image-index.js';
import { formatPlatform } from '../image/platform.js';
import type { BuildResult } from './result.js';

export type BuildArtifact =
  | { kind: 'image'; image: Image }
  | { kind: 'index'; index: BuiltIndex; images: Image[] };

/** The final touches of a target's image: the --label labels, the creation time, OCI media types. */
export function finishImage(image: Image, labels: ReadonlyMap<string, string>, created: string): Image {
  let out = image;
  if (labels.size > 0) {
    out = out.withConfig((c) => {
      c.config.Labels = { ...(c.config.Labels ?? {}), ...Object.fromEntries(labels) };
    });
  }
  return out
    .withConfig((c) => {
      c.created = created;
    })
    .withFormat('oci');
}

/** One image stays an image; several become an index of them. */
export function assembleArtifact(images: readonly Image[]): BuildArtifact {
  if (images.length === 1) return { kind: 'image', image: images[0]! };
  const index = indexOf(images.map((i) => indexEntry(i.descriptor(), i.platform)));
  return { kind: 'index', index, images: [...images] };
}

export function artifactDigest(a: BuildArtifact): Digest {
  return a.kind === 'image' ? a.image.digest() : a.index.digest;
}

/** The BuildResult fields that describe what was built. */
export function describeArtifact(
  a: BuildArtifact,
): Pick<
  BuildResult,
  'digest' | 'mediaType' | 'manifestSize' | 'configDigest' | 'layerDigests' | 'size' | 'layers' | 'platforms'
> {
  if (a.kind === 'image') {
    const { image } = a;
    return {
      digest: image.digest(),
      mediaType: image.mediaType,
      manifestSize: image.manifestBytes().length,
      configDigest: image.configDescriptor().digest,
      layerDigests: image.layers.map((l) => l.digest),
      size: image.totalSize(),
      layers: image.layers.length,
    };
  }
  const blobs = new Map<string, number>();
  for (const image of a.images) {
    blobs.set(image.digest(), image.manifestBytes().length);
    blobs.set(image.configDescriptor().digest, image.configDescriptor().size);
    for (const l of image.layers) blobs.set(l.digest, l.size);
  }
  const layers = new Set(a.images.flatMap((i) => i.layers.map((l) => l.digest)));
  return {
    digest: a.index.digest,
    mediaType: a.index.mediaType,
    manifestSize: a.index.bytes.length,
    layerDigests: [...layers],
    size: a.index.bytes.length + [...blobs.values()].reduce((n, s) => n + s, 0),
    layers: layers.size,
    platforms: a.images.map((image) => ({
      platform: formatPlatform(image.platform),
      digest: image.digest(),
      configDigest: image.configDescriptor().digest,
      size: image.totalSize(),
      layers: image.layers.length,
    })),
  };
}
