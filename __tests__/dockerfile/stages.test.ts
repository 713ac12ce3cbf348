// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile words under test use ${...}
import { describe, expect, test } from '@jest/globals';
import { parseDockerfile } from '../../src/dockerfile/dockerfile.js';
import { DockerfileError } from '../../src/dockerfile/errors.js';
import { type BuildPlan, type PlanOptions, planStages } from '../../src/dockerfile/stages.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };

function plan(text: string, opts: Partial<PlanOptions> & { args?: Record<string, string> } = {}): BuildPlan {
  const df = parseDockerfile(text, 'Dockerfile');
  return planStages(df, {
    buildArgs: new Map(Object.entries(opts.args ?? {})),
    buildPlatform: AMD64,
    targetPlatform: { os: 'linux', architecture: 'arm64' },
    ...opts,
  });
}

function planError(
  text: string,
  opts: Partial<PlanOptions> & { args?: Record<string, string> } = {},
): DockerfileError {
  try {
    plan(text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(DockerfileError);
    return err as DockerfileError;
  }
  throw new Error('expected a DockerfileError');
}

const summary = (p: BuildPlan) => p.stages.map((s) => [s.index, s.base, s.dependsOn]);

const MULTI = `
FROM golang:1.22 AS build
RUN go build -o /out/app

FROM alpine AS test
COPY --from=build /out/app /app
RUN /app -test

FROM build AS extra
RUN echo unused

FROM scratch
COPY --from=build /out/app /app
COPY --from=0 /etc/ssl /etc/ssl
COPY --from=busybox:1.36 /bin/busybox /bin/
ENTRYPOINT ["/app"]
`;

describe('which stages a build needs', () => {
  test('the last stage by default; unused stages are skipped', () => {
    const p = plan(MULTI);
    expect(p.target).toBe(3);
    expect(summary(p)).toEqual([
      [0, { kind: 'image', ref: 'golang:1.22' }, []],
      [3, { kind: 'scratch' }, [0]],
    ]);
    expect(p.stages[1]!.images).toEqual(['busybox:1.36']);
    expect(p.stages[0]!.stage.instructions).toHaveLength(1);
  });

  test('--target by name, case-insensitively', () => {
    expect(summary(plan(MULTI, { target: 'TEST' }))).toEqual([
      [0, { kind: 'image', ref: 'golang:1.22' }, []],
      [1, { kind: 'image', ref: 'alpine' }, [0]],
    ]);
    expect(summary(plan(MULTI, { target: 'extra' }))).toEqual([
      [0, { kind: 'image', ref: 'golang:1.22' }, []],
      [2, { kind: 'stage', index: 0, name: 'build' }, [0]],
    ]);
  });

  test('an unknown --target lists the stages and suggests a close name', () => {
    expect(planError(MULTI, { target: 'tset' }).message).toBe(
      'Dockerfile: target stage "tset" could not be found (did you mean test?) (stages: build, test, extra)',
    );
    expect(planError('FROM a\n', { target: 'x' }).detail).toBe(
      'target stage "x" could not be found (no stage has a name: use FROM image AS name)',
    );
  });

  test('FROM names an earlier stage (any case); a later or unknown name is an image', () => {
    const p = plan(
      'FROM a AS base\nFROM BASE AS one\nFROM later\nFROM b AS later\nCOPY --from=one / /\nCOPY --from=2 / /\n',
    );
    expect(p.stages.map((s) => [s.index, s.base])).toEqual([
      [0, { kind: 'image', ref: 'a' }],
      [1, { kind: 'stage', index: 0, name: 'base' }],
      [2, { kind: 'image', ref: 'later' }],
      [3, { kind: 'image', ref: 'b' }],
    ]);
  });

  test('the base is expanded with meta ARGs, build args and platform ARGs', () => {
    const p = plan(
      'ARG REG=docker.io\nARG TAG\nFROM --platform=$BUILDPLATFORM ${REG}/library/alpine:${TAG:-3.20} AS b\nFROM --platform=$TARGETPLATFORM b\n',
      { args: { TAG: '3.19' } },
    );
    expect(p.stages.map((s) => [s.base, s.platform])).toEqual([
      [{ kind: 'image', ref: 'docker.io/library/alpine:3.19' }, 'linux/amd64'],
      [{ kind: 'stage', index: 0, name: 'b' }, 'linux/arm64'],
    ]);
    expect(Object.fromEntries(p.globalArgs)).toMatchObject({
      REG: 'docker.io',
      TAG: '3.19',
      TARGETARCH: 'arm64',
    });
  });

  test('TARGETSTAGE is the target name', () => {
    expect(plan(MULTI, { target: 'test' }).globalArgs.get('TARGETSTAGE')).toBe('test');
    expect(plan(MULTI).globalArgs.get('TARGETSTAGE')).toBe('');
  });

  test('duplicate names: --from and --target use the last stage of that name', () => {
    const p = plan('FROM a AS x\nFROM b AS x\nFROM c\nCOPY --from=x / /\n');
    expect(summary(p).map((s) => s[0])).toEqual([1, 2]);
    expect(plan('FROM a AS x\nFROM b AS x\nFROM c\n', { target: 'x' }).target).toBe(1);
  });

  test('COPY --from=scratch reads the empty image', () => {
    expect(plan('FROM a\nCOPY --from=scratch / /\n').stages[0]!.images).toEqual([]);
  });
});

describe('planning errors name the line', () => {
  test.each<[string, number, string]>([
    [
      'FROM a AS x\nCOPY --from=x / /\n',
      2,
      'circular dependency detected on stage: x (x -> x); a stage cannot copy from itself or from a stage that copies from it',
    ],
    [
      'FROM a AS one\nCOPY --from=two / /\nFROM b AS two\nCOPY --from=one / /\n',
      2,
      'circular dependency detected on stage: one (one -> two -> one); a stage cannot copy from itself or from a stage that copies from it',
    ],
    [
      'FROM a AS one\nCOPY --from=two / /\nFROM b AS two\nFROM c\nCOPY --from=one / /\n',
      2,
      'cannot copy from stage "two", it needs to be defined before current stage "one"',
    ],
    ['FROM a\nCOPY --from=5 / /\n', 2, 'invalid stage index 5 (stages are numbered 0 to 0)'],
    ['FROM a\nCOPY --from=-1 / /\n', 2, 'invalid stage index -1 (stages are numbered 0 to 0)'],
    [
      'ARG S=x\nFROM a AS x\nFROM b\nCOPY --from=$S / /\n',
      4,
      'variable expansion is not supported for --from ($S): define a stage with FROM using a global ARG, then use its name',
    ],
    [
      'FROM a\nCOPY --from=Not/Valid / /\n',
      2,
      'invalid image reference "Not/Valid": repository name must be lowercase',
    ],
    ['FROM Upper\n', 1, 'invalid image reference "Upper": repository name must be lowercase'],
    ['ARG IMAGE\nFROM $IMAGE\n', 2, 'base name ($IMAGE) should not be blank: set the ARG it uses'],
    ['FROM ${X:?need_X}\n', 1, 'failed to process "${X:?need_X}": X: need_X'],
    ['FROM --platform=$UNSET a\n', 1, 'empty platform value from expression $UNSET'],
    [
      'FROM --platform=linux/ a\n',
      1,
      'invalid platform "linux/": expected os/arch[/variant], e.g. linux/amd64 or linux/arm/v7',
    ],
  ])('%j → line %i', (text, line, detail) => {
    const err = planError(text);
    expect(err.detail).toBe(detail);
    expect(err.line).toBe(line);
  });

  test('RUN --mount and --security=insecure plan (the executor decides what it allows)', () => {
    expect(
      summary(
        plan('FROM a AS x\nRUN --mount=type=tmpfs,target=/t make\nFROM b\nRUN --security=insecure x\n'),
      ),
    ).toEqual([[1, { kind: 'image', ref: 'b' }, []]]);
  });

  test('invalid references are errors in any stage (BuildKit resolves every base)', () => {
    expect(planError('FROM Bad AS unused\nFROM ok\n').line).toBe(1);
  });
});

describe('RUN --mount from= and ONBUILD triggers add dependencies', () => {
  test('a mount from a stage is a dependency', () => {
    expect(
      planError(
        'FROM a AS one\nCOPY --from=three / /\nFROM b AS two\nRUN --mount=from=one,target=/x y\nFROM c AS three\n',
        {
          target: 'two',
        },
      ).detail,
    ).toBe('cannot copy from stage "three", it needs to be defined before current stage "one"');
  });

  test("a base stage's ONBUILD triggers run in the child, at its FROM line, with their --from", () => {
    const p = plan(
      'FROM a AS assets\nFROM b AS base\nONBUILD COPY --from=assets /x /x\nONBUILD RUN make\nFROM base\n',
    );
    expect(summary(p)).toEqual([
      [0, { kind: 'image', ref: 'a' }, []],
      [1, { kind: 'image', ref: 'b' }, []],
      [2, { kind: 'stage', index: 1, name: 'base' }, [0, 1]],
    ]);
    expect(p.stages[2]!.onbuild.map((i) => [i.kind, i.location.startLine])).toEqual([
      ['copy', 5],
      ['run', 5],
    ]);
    expect(p.stages[1]!.onbuild).toEqual([]);
  });

  test("the base image's triggers, once known, are planned the same way", () => {
    const text = 'FROM a AS assets\nFROM node:20\nRUN build\n';
    expect(summary(plan(text))).toEqual([[1, { kind: 'image', ref: 'node:20' }, []]]);
    const p = plan(text, { baseImageTriggers: new Map([[1, ['COPY --from=assets . /app', 'RUN npm ci']]]) });
    expect(summary(p)).toEqual([
      [0, { kind: 'image', ref: 'a' }, []],
      [1, { kind: 'image', ref: 'node:20' }, [0]],
    ]);
    expect(p.stages[1]!.onbuild.map((i) => i.original)).toEqual(['COPY --from=assets . /app', 'RUN npm ci']);
    expect(planError(text, { baseImageTriggers: new Map([[1, ['NOPE x']]]) }).message).toBe(
      'Dockerfile:2: in trigger "NOPE x": unknown instruction "NOPE"',
    );
  });
});

describe('warnings', () => {
  test('build args no ARG of the built stages declares', () => {
    const p = plan('ARG META\nFROM a AS unused\nARG ONLY_UNUSED\nFROM b\nARG USED\n', {
      args: {
        META: '1',
        USED: '1',
        ONLY_UNUSED: '1',
        TYPO: '1',
        TARGETARCH: 'arm64',
        HTTPS_PROXY: 'x',
        SOURCE_DATE_EPOCH: '0',
        BUILDKIT_INLINE_CACHE: '1',
      },
    });
    expect(p.warnings.map((w) => w.message)).toEqual([
      'build argument "ONLY_UNUSED" is not used: no ARG ONLY_UNUSED in the stages built',
      'build argument "TYPO" is not used: no ARG TYPO in the stages built',
    ]);
  });
});

describe('long chains of stages (issue 19)', () => {
  test('6,000 stages each built FROM the one before are planned without overflowing the stack', () => {
    const lines = ['FROM scratch AS s0'];
    for (let i = 1; i < 6000; i++) lines.push(`FROM s${i - 1} AS s${i}`);
    const p = plan(lines.join('\n'));
    expect(p.stages).toHaveLength(6000);
    expect(p.stages[5999]!.dependsOn).toEqual([5998]);
  });

  test('6,000 stages each copying from the one before, and a cycle at the end of a long chain', () => {
    const lines = ['FROM scratch AS s0'];
    for (let i = 1; i < 6000; i++) lines.push(`FROM scratch AS s${i}`, `COPY --from=s${i - 1} /a /a`);
    expect(plan(lines.join('\n')).stages).toHaveLength(6000);
    lines.splice(1, 0, 'COPY --from=s5999 /a /a');
    const e = planError(lines.join('\n'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(
      /circular dependency detected on stage: s0 \(s0 -> s5999 -> s5998 -> s5997 -> s5996 -> … 5991 more … -> s4 -> s3 -> s2 -> s1 -> s0\);/,
    );
  });
});
