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
}

export interface BuildResult {
  /** Manifest digest of the final image. */
  digest: string;
  configDigest: string;
  /** Manifest + config + layers, in bytes as stored. */
  size: number;
  layers: number;
  /** Full references pushed (empty with --no-push). */
  references: string[];
  steps: StepReport[];
  cacheHits: number;
  durationMs: number;
  /** False when the destination already held this digest and nothing was pushed. */
  refreshed: boolean;
}
