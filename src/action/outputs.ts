/**
 * The action's outputs, from the build's result and the references it was
 * given. Lists are newline-separated, as docker/metadata-action writes its
 * `tags` output (and build-push-action reads it back). When nothing was
 * pushed because the registry already held the same image
 * (skip_unchanged_digest), the outputs describe the image that stands
 * there — the one a later step can pull — and say that nothing was pushed.
 */
import type { BuildResult, PlatformResult } from '../executor/result.js';

export interface ActionOutputs {
  /** The first full reference (name:tag). */
  image: string;
  /** Manifest digest, sha256:…. */
  digest: string;
  /** build-push-action's `imageid`: the config digest. */
  imageid: string;
  /** Every full reference, one per line. */
  tags: string;
  /** Every reference with its digest, one per line (what kaniko's --image-name-tag-with-digest-file holds). */
  'image-tag-digest': string;
  /** JSON, see buildMetadata(). */
  metadata: string;
  /** 'false' when skip_unchanged_digest found the image already pushed, else 'true'. */
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
  /** Whether this run pushed (false with push: false, and when the registry already held the image). */
  pushed: boolean;
  refreshed: boolean;
  /** The digest this run built (differs from `digest` when an unchanged image was kept). */
  builtDigest: string;
  durationMs: number;
  /** docker/build-push-action's metadata keys, so `fromJSON(…)['containerimage.digest']` keeps working. */
  'containerimage.digest': string;
  'containerimage.config.digest'?: string;
  'containerimage.descriptor': { mediaType: string; digest: string; size: number };
  'image.name': string;
  /** Each platform's image of a multi-platform index. */
  platforms?: PlatformResult[];
}

export function buildMetadata(result: BuildResult, references: readonly string[]): BuildMetadata {
  const kept = result.unchanged;
  const digest = kept?.digest ?? result.digest;
  const configDigest = kept?.configDigest ?? result.configDigest;
  return {
    digest,
    ...(configDigest ? { configDigest } : {}),
    size: result.size,
    layers: result.layers,
    cacheHits: result.cacheHits,
    cacheableSteps: result.steps.filter((s) => s.cache === 'hit' || s.cache === 'miss').length,
    references: [...references],
    pushed: result.references.length > 0,
    refreshed: result.refreshed,
    builtDigest: result.digest,
    durationMs: result.durationMs,
    'containerimage.digest': digest,
    ...(configDigest ? { 'containerimage.config.digest': configDigest } : {}),
    'containerimage.descriptor': kept
      ? { mediaType: kept.mediaType, digest, size: kept.size }
      : { mediaType: result.mediaType, digest, size: result.manifestSize },
    'image.name': references.join(','),
    ...(result.platforms ? { platforms: result.platforms } : {}),
  };
}

/**
 * `references`: the destinations the build was asked for (BuildOptions.destinations);
 * they name the image even when push is false and BuildResult.references is empty.
 */
export function computeOutputs(result: BuildResult, references: readonly string[]): ActionOutputs {
  const kept = result.unchanged;
  const refs = kept ? [kept.reference] : references.length > 0 ? references : result.references;
  const digest = kept?.digest ?? result.digest;
  const metadata = buildMetadata(result, refs);
  return {
    image: refs[0] ?? '',
    digest,
    imageid: metadata.configDigest ?? '',
    tags: refs.join('\n'),
    // A reference pushed by digest (push_by_digest) already ends in it.
    'image-tag-digest': digest ? refs.map((r) => (r.includes('@') ? r : `${r}@${digest}`)).join('\n') : '',
    metadata: JSON.stringify(metadata),
    refreshed: String(result.refreshed),
    platforms: JSON.stringify(
      Object.fromEntries((result.platforms ?? []).map((p) => [p.platform, p.digest])),
    ),
  };
}
