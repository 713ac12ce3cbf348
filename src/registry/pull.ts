/**
 * Pulling an image: the manifest by tag or digest (an index resolved to one
 * platform), the config fetched and parsed, the layers as lazy verified
 * RemoteLayers. Nothing of a layer is downloaded here.
 */
import { setting } from '../hints.js';
import { type Digest, parseDigest } from '../image/digest.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../image/manifest.js';
import { isIndexMediaType, isManifestMediaType, MediaType } from '../image/media-types.js';
import {
  formatPlatform,
  hostPlatform,
  imageEntries,
  PlatformNotFoundError,
  selectManifest,
} from '../image/platform.js';
import type { Reference } from '../image/reference.js';
import type { ManifestResponse, RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { RemoteBlob, RemoteLayer } from './remote-blob.js';

/** Picks the child manifest for `want`; undefined when none fits. */
export type PlatformSelector = (index: ImageIndex, want: Platform) => Descriptor | undefined;

function selectOrUndefined(index: ImageIndex, want: Platform): Descriptor | undefined {
  try {
    return selectManifest(index, want);
  } catch (e) {
    if (e instanceof PlatformNotFoundError) return undefined;
    throw e;
  }
}

export interface PullOptions {
  /** Wanted platform of an index; default: this machine's (linux/<arch>). */
  platform?: Platform;
  /** Replaces the built-in platform selection (src/image/platform.ts selectManifest). */
  selectPlatform?: PlatformSelector;
}

export interface PulledIndex {
  digest: Digest;
  mediaType: string;
  bytes: Buffer;
  index: ImageIndex;
  /** The child chosen for the platform. */
  chosen: Descriptor;
}

export interface PulledImage {
  /** The reference as asked for. */
  ref: Reference;
  /** Digest of the image manifest (the platform's child when the tag names an index). */
  digest: Digest;
  mediaType: string;
  manifestBytes: Buffer;
  manifest: ImageManifest;
  /** Set when the reference named an index. */
  index?: PulledIndex;
  configBytes: Buffer;
  config: ImageConfig;
  configBlob: RemoteBlob;
  /** Lazy layers, in manifest order, each with its diffID from the config. */
  layers: RemoteLayer[];
}

/** Config media types of container images. */
export const IMAGE_CONFIG_TYPES: readonly string[] = [MediaType.OciConfig, MediaType.DockerConfig];

function invalid(ref: Reference, operation: string, detail: string): RegistryError {
  return new RegistryError({
    registry: ref.registry,
    repository: ref.repository,
    operation,
    failure: 'invalid-response',
    detail,
  });
}

function parseJson<T>(ref: Reference, what: string, bytes: Buffer): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (e) {
    throw invalid(ref, `read ${what}`, `not JSON: ${(e as Error).message}`);
  }
}

/** Resolves a reference to an image manifest (through an index when needed). */
export async function resolveManifest(
  client: RegistryClient,
  ref: Reference,
  opts: PullOptions = {},
): Promise<{ manifest: ManifestResponse; index?: PulledIndex }> {
  const top = await client.getManifest(ref);
  if (isManifestMediaType(top.mediaType)) return { manifest: top };
  if (!isIndexMediaType(top.mediaType)) {
    throw invalid(
      ref,
      'pull manifest',
      `${ref} is a "${top.mediaType || 'unknown'}" document, not an image manifest or index` +
        (top.mediaType === 'application/vnd.docker.distribution.manifest.v1+prettyjws'
          ? ' (Docker schema 1 is not supported; re-push the image with a current tool)'
          : ''),
    );
  }
  const index = parseJson<ImageIndex>(ref, 'index', top.bytes);
  if (!Array.isArray(index.manifests)) throw invalid(ref, 'read index', 'the index has no manifests array');
  const want = opts.platform ?? hostPlatform();
  const chosen = (opts.selectPlatform ?? selectOrUndefined)(index, want);
  if (!chosen || !imageEntries(index).includes(chosen)) {
    const available = [...new Set(imageEntries(index).map((d) => formatPlatform(d.platform!)))];
    throw new RegistryError({
      registry: ref.registry,
      repository: ref.repository,
      operation: 'select platform',
      failure: 'platform',
      detail: `${ref} has no image for ${formatPlatform(want)}; it has: ${available.join(', ') || 'nothing but attestations'}`,
      hint: `Pick one of those with ${setting('platform')} (or FROM --platform=…), or use an image built for this platform`,
    });
  }
  checkDescriptor(ref, chosen);
  const child = await client.getManifest(ref.withDigest(chosen.digest));
  if (!isManifestMediaType(child.mediaType)) {
    throw invalid(
      ref,
      'pull manifest',
      `the index entry for ${formatPlatform(want)} is a "${child.mediaType}", not an image manifest`,
    );
  }
  return {
    manifest: child,
    index: { digest: top.digest, mediaType: top.mediaType, bytes: top.bytes, index, chosen },
  };
}

/** Pulls manifest and config of an image; layers stay lazy. */
export async function pullImage(
  client: RegistryClient,
  ref: Reference,
  opts: PullOptions = {},
): Promise<PulledImage> {
  const { manifest: m, index } = await resolveManifest(client, ref, opts);
  const manifest = parseJson<ImageManifest>(ref, 'manifest', m.bytes);
  if (!manifest.config || !Array.isArray(manifest.layers)) {
    throw invalid(ref, 'read manifest', 'the manifest lacks config or layers');
  }
  if (!IMAGE_CONFIG_TYPES.includes(manifest.config.mediaType)) {
    throw invalid(
      ref,
      'read manifest',
      `${ref} is not a container image: its config has media type "${manifest.config.mediaType}"`,
    );
  }
  checkDescriptor(ref, manifest.config);
  for (const d of manifest.layers) checkDescriptor(ref, d);
  const configBlob = new RemoteBlob(client, ref, manifest.config);
  const configBytes = await client.readBlob(ref, manifest.config);
  const config = parseJson<ImageConfig>(ref, 'config', configBytes);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw invalid(
      ref,
      'read config',
      `the manifest has ${manifest.layers.length} layers but the config names ${diffIds.length} diff_ids`,
    );
  }
  const layers = manifest.layers.map((d, i) => {
    let diffId: Digest;
    try {
      diffId = parseDigest(String(diffIds[i]));
    } catch (e) {
      throw invalid(ref, 'read config', (e as Error).message);
    }
    return new RemoteLayer(client, ref, d, diffId);
  });
  return {
    ref,
    digest: m.digest,
    mediaType: m.mediaType,
    manifestBytes: m.bytes,
    manifest,
    index,
    configBytes,
    config,
    configBlob,
    layers,
  };
}

/** Descriptors come from the network: their digest goes into URLs, their size bounds reads. */
function checkDescriptor(ref: Reference, d: Descriptor): void {
  try {
    parseDigest(String(d.digest));
  } catch (e) {
    throw invalid(ref, 'read manifest', (e as Error).message);
  }
  if (!Number.isSafeInteger(d.size) || d.size < 0) {
    throw invalid(ref, 'read manifest', `descriptor ${d.digest} has an invalid size ${String(d.size)}`);
  }
  if (typeof d.mediaType !== 'string')
    throw invalid(ref, 'read manifest', `descriptor ${d.digest} has no mediaType`);
}
