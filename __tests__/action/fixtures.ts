/** A BuildResult as the executor reports it, for outputs and summary tests. */
import type { BuildResult } from '../../src/executor/result.js';

export const D = `sha256:${'a'.repeat(64)}`;
export const C = `sha256:${'c'.repeat(64)}`;
export const refs = ['ghcr.io/o/r/app:01234567', 'ghcr.io/o/r/app:latest'];

export function result(over: Partial<BuildResult> = {}): BuildResult {
  return {
    digest: D,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    manifestSize: 1234,
    configDigest: C,
    layerDigests: [`sha256:${'0'.repeat(64)}`, `sha256:${'2'.repeat(64)}`],
    size: 12_345_678,
    layers: 3,
    references: refs,
    steps: [
      {
        stage: 'build',
        step: 1,
        instruction: `FROM golang:1.22@sha256:${'9'.repeat(64)}`,
        durationMs: 900,
        cache: 'none',
      },
      {
        stage: 'build',
        step: 2,
        instruction: 'RUN go build ./...',
        durationMs: 61_500,
        cache: 'miss',
        cacheMissReason: 'no entry',
        layer: { digest: `sha256:${'1'.repeat(64)}`, size: 8_500_000 },
      },
      { stage: 'stage-1', step: 0, instruction: 'FROM scratch', durationMs: 0, cache: 'none' },
      {
        stage: 'stage-1',
        step: 1,
        instruction: 'COPY --from=build /out/app /app',
        durationMs: 120,
        cache: 'hit',
        layer: { digest: `sha256:${'2'.repeat(64)}`, size: 4_000_000 },
      },
      { stage: 'stage-1', step: 0, instruction: 'ENTRYPOINT ["/app"]', durationMs: 1, cache: 'none' },
    ],
    cacheHits: 1,
    durationMs: 65_000,
    refreshed: true,
    ...over,
  };
}

/** What stands in the registry when skip_unchanged_digest pushed nothing. */
export const KEPT = {
  reference: refs[1]!,
  digest: `sha256:${'e'.repeat(64)}`,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  size: 999,
  configDigest: `sha256:${'f'.repeat(64)}`,
};

/** A build that pushed nothing because the registry held the same image. */
export function unchangedResult(): BuildResult {
  return result({ refreshed: false, references: [], unchanged: KEPT });
}
