/**
 * Which stages the builds of several target platforms share (built once):
 * those that run on the same platform, from the same base, with the same
 * values for the ARGs they declare and the same stages below them.
 */
import { describe, expect, test } from '@jest/globals';
import { parseDockerfile } from '../../src/dockerfile/dockerfile.js';
import { planStages } from '../../src/dockerfile/stages.js';
import { stageGraph } from '../../src/executor/multi-platform.js';
import { formatPlatform, parsePlatform } from '../../src/image/platform.js';

const host = parsePlatform('linux/amd64');

/** Per node: its stage name (or index), its platform, and how many targets use it. */
function graphOf(
  dockerfile: string,
  platforms = ['linux/amd64', 'linux/arm64'],
  buildArgs = new Map<string, string>(),
) {
  const df = parseDockerfile(dockerfile, 'Dockerfile');
  const targets = platforms.map((p) => {
    const platform = parsePlatform(p);
    return {
      platform,
      plan: planStages(df, { buildArgs, buildPlatform: host, targetPlatform: platform }),
    };
  });
  const graph = stageGraph(targets);
  return graph.nodes.map(
    (n) => `${n.planned.name ?? n.planned.index}@${formatPlatform(n.platform)}×${n.users.size}`,
  );
}

describe('stageGraph', () => {
  test('without FROM --platform every stage is built per target', () => {
    expect(graphOf('FROM busybox AS a\nRUN true\nFROM a\nRUN true\n')).toEqual([
      'a@linux/amd64×1',
      '1@linux/amd64×1',
      'a@linux/arm64×1',
      '1@linux/arm64×1',
    ]);
  });

  test('the cross-compile pattern shares the $BUILDPLATFORM stage', () => {
    const df = [
      'FROM --platform=$BUILDPLATFORM golang AS build',
      'ARG BUILDPLATFORM',
      'RUN go build',
      'FROM scratch',
      'COPY --from=build /out /',
    ].join('\n');
    expect(graphOf(df, ['linux/amd64', 'linux/arm64', 'linux/arm/v7'])).toEqual([
      'build@linux/amd64×3',
      '1@linux/amd64×1',
      '1@linux/arm64×1',
      '1@linux/arm/v7×1',
    ]);
  });

  test('a $BUILDPLATFORM stage that declares TARGETARCH is built per target, natively', () => {
    const df = [
      'FROM --platform=$BUILDPLATFORM golang AS build',
      'ARG TARGETOS TARGETARCH',
      'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build',
      'FROM scratch',
      'COPY --from=build /out /',
    ].join('\n');
    expect(graphOf(df)).toEqual([
      'build@linux/amd64×1',
      '1@linux/amd64×1',
      'build@linux/amd64×1',
      '1@linux/arm64×1',
    ]);
  });

  test('a base named through a target ARG differs per target', () => {
    const df =
      'ARG FLAVOUR=$TARGETARCH\nFROM --platform=linux/amd64 tools:$FLAVOUR AS t\nRUN x\nFROM scratch\nCOPY --from=t / /\n';
    expect(graphOf(df)).toEqual(['t@linux/amd64×1', '1@linux/amd64×1', 't@linux/amd64×1', '1@linux/arm64×1']);
  });

  test('a literal FROM --platform is shared; a stage FROM a shared one is shared until it declares a target ARG', () => {
    const df = [
      'FROM --platform=linux/amd64 busybox AS tools',
      'RUN make tools',
      'FROM tools AS same',
      'ARG BUILDARCH',
      'RUN make more',
      'FROM same AS per-target',
      'ARG TARGETARCH',
      'RUN make for-$TARGETARCH',
      'FROM scratch',
      'COPY --from=per-target /out /',
    ].join('\n');
    expect(graphOf(df)).toEqual([
      'tools@linux/amd64×2',
      'same@linux/amd64×2',
      'per-target@linux/amd64×1',
      '3@linux/amd64×1',
      'per-target@linux/amd64×1',
      '3@linux/arm64×1',
    ]);
  });

  test('a build arg given for all targets changes nothing; one platform is one node per stage', () => {
    const df = 'FROM --platform=$BUILDPLATFORM busybox AS b\nARG V\nRUN x\nFROM busybox\nCOPY --from=b / /\n';
    expect(graphOf(df, ['linux/amd64', 'linux/arm64'], new Map([['V', '1']]))).toEqual([
      'b@linux/amd64×2',
      '1@linux/amd64×1',
      '1@linux/arm64×1',
    ]);
    expect(graphOf(df, ['linux/arm64'])).toEqual(['b@linux/amd64×1', '1@linux/arm64×1']);
  });
});
