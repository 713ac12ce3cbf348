/** What a build reports back to its front door (CLI line, action outputs and summary). */
export type CacheStatus = 'hit' | 'miss' | 'off' | 'none';

export interface StepReport {
  /** Stage name, or its index when unnamed. */
  stage: string;
  /** 1-based step number within the stage. */
  step: number;
  /** The instruction as written (after expansion), e.g. `RUN apt-get update`. */
  instruction: string;
  durationMs: number;
  /** 'none': the step makes no layer and is not cached (ENV, LABEL, …). */
  cache: CacheStatus;
  /** Why a lookup missed: 'no entry', 'expired', 'cache unreachable', … */
  cacheMissReason?: string;
  /** The layer this step produced, if any. */
  layer?: { digest: string; size: number };
  /** The platform the stage ran for (set when the build has several target platforms). */
  platform?: string;
}

/** One platform's image of a multi-platform build. */
export interface PlatformResult {
  /** `linux/arm64`, `linux/arm/v7`. */
  platform: string;
  /** Its image manifest's digest. */
  digest: string;
  configDigest: string;
  /** Manifest + config + layers, in bytes as stored. */
  size: number;
  layers: number;
}

export interface BuildResult {
  /** Manifest digest of the final image; with several platforms, the digest of their OCI index. */
  digest: string;
  /** The image's config digest; absent for an index (each platform's is in `platforms`). */
  configDigest?: string;
  /** Manifest + config + layers, in bytes as stored (for an index: it, and every platform's blobs once). */
  size: number;
  /** Layers of the image (for an index: distinct layers of all platforms). */
  layers: number;
  /** Set when the build made an index: each platform's image, in the index's order. */
  platforms?: PlatformResult[];
  /** Full references pushed (empty with --no-push). */
  references: string[];
  steps: StepReport[];
  cacheHits: number;
  durationMs: number;
  /** False when the destination already held this digest and nothing was pushed. */
  refreshed: boolean;
}
