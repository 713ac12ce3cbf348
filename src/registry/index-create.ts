/**
 * `kiln index create` (like `docker buildx imagetools create`): image
 * manifests and indexes, each named by a reference (a digest from
 * --push-by-digest, or a tag), merged into one OCI index in the order
 * given, then pushed to every target: each image's blobs (mounted across
 * repositories of one registry, streamed between registries, skipped where
 * present), each image manifest by digest, the index last under its tags.
 * The index is made by image/image-index.ts, as a multi-platform build
 * makes it: the same images in the same order give the same digest.
 */
import type { Blob } from '../image/blob.js';
import { type BuiltIndex, indexEntry, indexOf } from '../image/image-index.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../image/manifest.js';
import { isIndexMediaType, isManifestMediaType } from '../image/media-types.js';
import { configPlatform, formatPlatform } from '../image/platform.js';
import type { Reference } from '../image/reference.js';
import type { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { type PushImageInput, pushIndex } from './push.js';
import { RemoteBlob } from './remote-blob.js';

/** One manifest the index names, with where its blobs can be read. */
interface Child {
  entry: Descriptor;
  image: PushImageInput;
}

/** One manifest of the index, as a build reports a platform's image. */
export interface IndexEntryReport {
  platform: string;
  digest: string;
  configDigest: string;
  /** Manifest + config + layers, in bytes as stored. */
  size: number;
  layers: number;
  /** The source that brought it. */
  source: string;
}

export interface CreatedIndex extends BuiltIndex {
  entries: IndexEntryReport[];
  /** The layers of all its images, each once. */
  layerDigests: string[];
}

function invalid(ref: Reference, detail: string): RegistryError {
  return new RegistryError({
    registry: ref.registry,
    repository: ref.repository,
    operation: 'index create',
    failure: 'invalid-response',
    detail,
  });
}

function parse<T>(ref: Reference, bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (e) {
    throw invalid(ref, `the ${what} is not JSON: ${(e as Error).message}`);
  }
}

/** An image manifest in `ref`'s repository, with its blobs as readable remote blobs. */
async function imageChild(
  client: RegistryClient,
  ref: Reference,
  bytes: Buffer,
  mediaType: string,
  given: Descriptor | undefined,
): Promise<Child> {
  const manifest = parse<ImageManifest>(ref, bytes, 'manifest');
  if (!manifest.config || !Array.isArray(manifest.layers)) {
    throw invalid(ref, `${ref} is not an image manifest (no config or layers)`);
  }
  const blobs: Blob[] = [manifest.config, ...manifest.layers.filter((l) => !l.urls?.length)].map(
    (d) => new RemoteBlob(client, ref, d),
  );
  let entry: Descriptor;
  if (given) {
    entry = structuredClone(given);
  } else {
    // An image named directly: its platform is its config's.
    const config = parse<ImageConfig>(ref, await client.readBlob(ref, manifest.config), 'config');
    if (!config.os || !config.architecture) {
      throw invalid(ref, `the config of ${ref} names no os/architecture: it is not a platform image`);
    }
    entry = indexEntry({ mediaType, digest: ref.digest!, size: bytes.length }, configPlatform(config));
  }
  return { entry, image: { manifest: bytes, mediaType, blobs } };
}

/** The children one source brings: itself (an image), or every entry of an index. */
async function childrenOf(client: RegistryClient, ref: Reference): Promise<Child[]> {
  const top = await client.getManifest(ref);
  if (isManifestMediaType(top.mediaType)) {
    const child = await imageChild(client, ref.withDigest(top.digest), top.bytes, top.mediaType, undefined);
    return [child];
  }
  if (!isIndexMediaType(top.mediaType)) {
    throw invalid(
      ref,
      `${ref} is a "${top.mediaType || 'unknown'}" document, not an image manifest or index`,
    );
  }
  const index = parse<ImageIndex>(ref, top.bytes, 'index');
  if (!Array.isArray(index.manifests)) throw invalid(ref, `${ref}: the index has no manifests array`);
  const out: Child[] = [];
  for (const d of index.manifests) {
    if (!isManifestMediaType(d.mediaType)) {
      throw invalid(
        ref,
        `${ref} names ${d.digest} of type ${d.mediaType}: only image manifests can be merged`,
      );
    }
    const m = await client.getManifest(ref.withDigest(d.digest));
    out.push(await imageChild(client, ref.withDigest(d.digest), m.bytes, m.mediaType, d));
  }
  return out;
}

/** Reads every source and makes the index (nothing is pushed). */
export async function assembleIndex(
  client: RegistryClient,
  sources: readonly Reference[],
): Promise<{ index: CreatedIndex; children: Child[] }> {
  if (sources.length === 0) throw new Error('index create needs at least one source image or index');
  const children: Child[] = [];
  const entries: CreatedIndex['entries'] = [];
  const layers = new Set<string>();
  for (const ref of sources) {
    for (const child of await childrenOf(client, ref)) {
      if (children.some((c) => c.entry.digest === child.entry.digest)) continue;
      children.push(child);
      const p = child.entry.platform;
      const m = JSON.parse(child.image.manifest.toString('utf8')) as ImageManifest;
      for (const l of m.layers) layers.add(l.digest);
      entries.push({
        platform: p ? formatPlatform(p) : 'unknown',
        digest: child.entry.digest,
        configDigest: m.config.digest,
        size: child.image.manifest.length + m.config.size + m.layers.reduce((n, l) => n + l.size, 0),
        layers: m.layers.length,
        source: String(ref),
      });
    }
  }
  return {
    index: { ...indexOf(children.map((c) => c.entry)), entries, layerDigests: [...layers] },
    children,
  };
}

/**
 * Makes the index of `sources` and pushes it (with what it names) to every
 * target; returns it. `targets` are tagged references; several in one
 * repository share the uploads.
 */
export async function createIndex(
  client: RegistryClient,
  sources: readonly Reference[],
  targets: readonly Reference[],
): Promise<CreatedIndex> {
  const { index, children } = await assembleIndex(client, sources);
  if (targets.length > 0) {
    await pushIndex(client, [...targets], {
      manifest: index.bytes,
      mediaType: index.mediaType,
      images: children.map((c) => c.image),
    });
  }
  return index;
}
