/**
 * The action's outputs, from the build's result and the references it was
 * given. Lists are newline-separated, as docker/metadata-action writes its
 * `tags` output (and build-push-action reads it back).
 */
import type { BuildResult, PlatformResult } from '../executor/result.js';

export interface ActionOutputs {
  /** The first full reference (name:tag). */
  image: string;
  /** Manifest digest, sha256:…. */
  digest: string;
  /** Every full reference, one per line. */
  tags: string;
  /** `image`@digest (what kaniko's --image-name-tag-with-digest-file holds for the first destination). */
  'image-tag-digest': string;
  /** JSON, see buildMetadata(). */
  metadata: string;
  /** 'false' when skip_unchanged_digest found the digest already pushed, else 'true'. */
  refreshed: string;
  /** JSON object, platform → its image's digest (`{"linux/arm64":"sha256:…"}`); `{}` for a one-platform image. */
  platforms: string;
}

export interface BuildMetadata {
  digest: string;
  /** Absent for a multi-platform index (each platform's is in `platforms`). */
  configDigest?: string;
  size: number;
  layers: number;
  cacheHits: number;
  /** Steps that could be cached (hits + misses). */
  cacheableSteps: number;
  references: string[];
  pushed: boolean;
  durationMs: number;
  /** docker/build-push-action's metadata keys, so `fromJSON(…)['containerimage.digest']` keeps working. */
  'containerimage.digest': string;
  'containerimage.config.digest'?: string;
  'image.name': string;
  /** Each platform's image of a multi-platform index. */
  platforms?: PlatformResult[];
}

export function buildMetadata(result: BuildResult, references: readonly string[]): BuildMetadata {
  return {
    digest: result.digest,
    ...(result.configDigest ? { configDigest: result.configDigest } : {}),
    size: result.size,
    layers: result.layers,
    cacheHits: result.cacheHits,
    cacheableSteps: result.steps.filter((s) => s.cache === 'hit' || s.cache === 'miss').length,
    references: [...references],
    pushed: result.references.length > 0,
    durationMs: result.durationMs,
    'containerimage.digest': result.digest,
    ...(result.configDigest ? { 'containerimage.config.digest': result.configDigest } : {}),
    'image.name': references.join(','),
    ...(result.platforms ? { platforms: result.platforms } : {}),
  };
}

/**
 * `references`: the destinations the build was asked for (BuildOptions.destinations);
 * they name the image even when push is false and BuildResult.references is empty.
 */
export function computeOutputs(result: BuildResult, references: readonly string[]): ActionOutputs {
  const refs = references.length > 0 ? references : result.references;
  const image = refs[0] ?? '';
  return {
    image,
    digest: result.digest,
    tags: refs.join('\n'),
    // A reference pushed by digest (push_by_digest) already ends in it.
    'image-tag-digest':
      image && result.digest ? (image.includes('@') ? image : `${image}@${result.digest}`) : '',
    metadata: JSON.stringify(buildMetadata(result, refs)),
    refreshed: String(result.refreshed),
    platforms: JSON.stringify(
      Object.fromEntries((result.platforms ?? []).map((p) => [p.platform, p.digest])),
    ),
  };
}
