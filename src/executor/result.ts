/** What a build reports back to its front door (CLI line, action outputs and summary). */
import type { StandingImage } from './unchanged.js';

export type CacheStatus = 'hit' | 'miss' | 'off' | 'none';

export interface StepReport {
  /** Stage name, or `stage-<index>` when unnamed. */
  stage: string;
  /**
   * The step's number within the stage, as BuildKit counts them in its log
   * (`[name 2/5]`): FROM of an image is 1, then each RUN, COPY, ADD and
   * WORKDIR. 0 for what it does not count (ENV, LABEL…, FROM scratch or a stage).
   */
  step: number;
  /**
   * The instruction as written (after expansion), e.g. `RUN apt-get update`;
   * each stage's first report is its FROM, with the base image's digest
   * (`FROM alpine:3@sha256:…`).
   */
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
  /** Its manifest's (or index's) media type and size (with digest: the OCI descriptor). */
  mediaType: string;
  manifestSize: number;
  /** The image's config digest; absent for an index (each platform's is in `platforms`). */
  configDigest?: string;
  /**
   * The final image's layer digests, in order (a stage's layers not among
   * them are not in the image); for an index, every platform's, each once.
   */
  layerDigests: string[];
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
  /** False when the destinations already held this image and nothing was pushed. */
  refreshed: boolean;
  /** Set when nothing was pushed because the registry holds the same image: what stands there. */
  unchanged?: StandingImage;
}
