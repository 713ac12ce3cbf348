// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile words under test use ${...}
import { describe, expect, test } from '@jest/globals';
import { parseDockerfile, parseInstruction, parseOnbuildTrigger } from '../../src/dockerfile/dockerfile.js';
import { DockerfileError } from '../../src/dockerfile/errors.js';
import { parseGoDuration } from '../../src/dockerfile/healthcheck.js';
import type { Instruction } from '../../src/dockerfile/instructions.js';
import { runCommandPlan } from '../../src/dockerfile/run-command.js';

/** The typed instruction of `line` placed after a FROM (so at line 2). */
function typed(line: string): Instruction {
  const df = parseDockerfile(`FROM scratch\n${line}\n`, 'Dockerfile');
  const instr = df.stages[0]!.instructions[0]!;
  const { location, original, ...rest } = instr;
  expect(location.startLine).toBe(2);
  expect(original).toBe(line.split('\n')[0]!.trim());
  return rest as Instruction;
}

function failure(text: string): DockerfileError {
  try {
    parseDockerfile(text, 'Dockerfile');
  } catch (err) {
    expect(err).toBeInstanceOf(DockerfileError);
    return err as DockerfileError;
  }
  throw new Error(`expected a DockerfileError for ${JSON.stringify(text)}`);
}

describe('every instruction form', () => {
  test.each<[string, Record<string, unknown>]>([
    [
      'RUN make all',
      { kind: 'run', command: { form: 'shell', command: 'make all' }, heredocs: [], mounts: [] },
    ],
    ['RUN ["make", "all"]', { kind: 'run', command: { form: 'exec', args: ['make', 'all'] }, mounts: [] }],
    ['RUN --network=none make', { kind: 'run', network: 'none' }],
    ['RUN --network=host make', { kind: 'run', network: 'host' }],
    ['RUN --security=sandbox make', { kind: 'run', security: 'sandbox' }],
    [
      'RUN --mount=type=cache,target=/root/.cache,id=x --mount=type=bind,from=build,source=/out,target=/in make',
      {
        kind: 'run',
        mounts: [
          {
            type: 'cache',
            target: '/root/.cache',
            readonly: false,
            options: { type: 'cache', target: '/root/.cache', id: 'x' },
          },
          {
            type: 'bind',
            from: 'build',
            source: '/out',
            target: '/in',
            readonly: true,
            options: { type: 'bind', from: 'build', source: '/out', target: '/in' },
          },
        ],
      },
    ],
    [
      'RUN --mount=target=/x,rw make',
      { kind: 'run', mounts: [{ type: 'bind', target: '/x', readonly: false, options: { target: '/x' } }] },
    ],
    [
      'RUN --mount=type=secret,id=npmrc,required,mode=0440,uid=1000 --mount=type=ssh npm ci',
      {
        kind: 'run',
        mounts: [
          {
            type: 'secret',
            readonly: true,
            options: { type: 'secret', id: 'npmrc', required: 'true', mode: '0440', uid: '1000' },
          },
          { type: 'ssh', readonly: true, options: { type: 'ssh' } },
        ],
      },
    ],
    [
      'RUN --mount=type=cache,target=$HOME/.cache,id=${NAME}-cache make',
      {
        kind: 'run',
        mounts: [
          {
            type: 'cache',
            readonly: false,
            options: { type: 'cache' },
            raw: 'type=cache,target=$HOME/.cache,id=${NAME}-cache',
          },
        ],
      },
    ],
    ['CMD echo hi', { kind: 'cmd', command: { form: 'shell', command: 'echo hi' } }],
    ['CMD ["echo", "hi"]', { kind: 'cmd', command: { form: 'exec', args: ['echo', 'hi'] } }],
    ['CMD []', { kind: 'cmd', command: { form: 'exec', args: [] } }],
    ['ENTRYPOINT ["/app"]', { kind: 'entrypoint', command: { form: 'exec', args: ['/app'] } }],
    ['ENTRYPOINT exec /app', { kind: 'entrypoint', command: { form: 'shell', command: 'exec /app' } }],
    [
      'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]',
      { kind: 'shell', shell: ['/bin/bash', '-eo', 'pipefail', '-c'] },
    ],
    [
      'LABEL a=b "c d"="e f"',
      {
        kind: 'label',
        pairs: [
          { key: 'a', value: 'b' },
          { key: '"c d"', value: '"e f"' },
        ],
      },
    ],
    ['LABEL legacy value here', { kind: 'label', pairs: [{ key: 'legacy', value: 'value here' }] }],
    [
      'ENV A=1 B="$A x"',
      {
        kind: 'env',
        pairs: [
          { key: 'A', value: '1' },
          { key: 'B', value: '"$A x"' },
        ],
      },
    ],
    ['ENV A 1 2', { kind: 'env', pairs: [{ key: 'A', value: '1 2' }] }],
    ['ENV A=', { kind: 'env', pairs: [{ key: 'A', value: '' }] }],
    ['ARG A', { kind: 'arg', args: [{ name: 'A' }] }],
    [
      'ARG A=1 B C="x y"',
      {
        kind: 'arg',
        args: [{ name: 'A', defaultValue: '1' }, { name: 'B' }, { name: 'C', defaultValue: '"x y"' }],
      },
    ],
    ['ARG A=', { kind: 'arg', args: [{ name: 'A', defaultValue: '' }] }],
    ['EXPOSE 8080 80/udp $PORT', { kind: 'expose', ports: ['$PORT', '80/udp', '8080'] }],
    [
      'COPY a b /dst/',
      {
        kind: 'copy',
        sources: ['a', 'b'],
        sourceContents: [],
        dest: '/dst/',
        link: false,
        parents: false,
        exclude: [],
      },
    ],
    ['COPY ["a b", "/c d"]', { kind: 'copy', sources: ['a b'], dest: '/c d' }],
    [
      'COPY --from=build --chown=app:app --chmod=0755 --link --parents --exclude=*.md --exclude=.git ./ /app',
      {
        kind: 'copy',
        from: 'build',
        chown: 'app:app',
        chmod: '0755',
        link: true,
        parents: true,
        exclude: ['*.md', '.git'],
        sources: ['./'],
        dest: '/app',
      },
    ],
    ['COPY --link=false a b', { kind: 'copy', link: false }],
    [
      'ADD --checksum=sha256:abc --keep-git-dir --chown=1 --chmod=644 --link --exclude=x https://e.x/a.tgz /',
      {
        kind: 'add',
        checksum: 'sha256:abc',
        keepGitDir: true,
        chown: '1',
        chmod: '644',
        link: true,
        exclude: ['x'],
        sources: ['https://e.x/a.tgz'],
        dest: '/',
      },
    ],
    ['ADD --unpack=false a.tgz /', { kind: 'add', unpack: false, keepGitDir: false }],
    [
      'MAINTAINER Jane Doe <jane@example.com>',
      { kind: 'maintainer', maintainer: 'Jane Doe <jane@example.com>' },
    ],
    ['USER app:app', { kind: 'user', user: 'app:app' }],
    ['WORKDIR /srv/$APP', { kind: 'workdir', path: '/srv/$APP' }],
    ['VOLUME /data /logs', { kind: 'volume', volumes: ['/data', '/logs'] }],
    ['VOLUME ["/data"]', { kind: 'volume', volumes: ['/data'] }],
    ['STOPSIGNAL SIGKILL', { kind: 'stopsignal', signal: 'SIGKILL' }],
    ['HEALTHCHECK NONE', { kind: 'healthcheck', health: { Test: ['NONE'] } }],
    [
      'HEALTHCHECK CMD curl -f http://x/',
      { kind: 'healthcheck', health: { Test: ['CMD-SHELL', 'curl -f http://x/'] } },
    ],
    [
      'HEALTHCHECK CMD ["curl", "-f", "x"]',
      { kind: 'healthcheck', health: { Test: ['CMD', 'curl', '-f', 'x'] } },
    ],
    [
      'HEALTHCHECK --interval=5m --timeout=3s --start-period=1m30s --start-interval=500ms --retries=4 cmd true',
      {
        kind: 'healthcheck',
        health: {
          Test: ['CMD-SHELL', 'true'],
          Interval: 300_000_000_000,
          Timeout: 3_000_000_000,
          StartPeriod: 90_000_000_000,
          StartInterval: 500_000_000,
          Retries: 4,
        },
      },
    ],
    [
      'HEALTHCHECK --interval=0s --retries=0 CMD true',
      { kind: 'healthcheck', health: { Test: ['CMD-SHELL', 'true'] } },
    ],
    ['ONBUILD RUN make', { kind: 'onbuild', expression: 'RUN make', trigger: 'RUN' }],
    ['onbuild  copy . /src', { kind: 'onbuild', expression: 'copy . /src', trigger: 'COPY' }],
  ])('%s', (line, expected) => {
    expect(typed(line)).toMatchObject(expected);
  });

  test('FROM forms', () => {
    const df = parseDockerfile(
      'FROM alpine\nFROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nfrom scratch as out-1.x_y\n',
      'Dockerfile',
    );
    expect(df.stages.map((s) => [s.index, s.name, s.from.image, s.from.platform])).toEqual([
      [0, undefined, 'alpine', undefined],
      [1, 'build', 'golang:1.22', '$BUILDPLATFORM'],
      [2, 'out-1.x_y', 'scratch', undefined],
    ]);
  });

  test('heredoc sources of COPY become file contents, chomped for <<-', () => {
    const instr = typed('COPY <<a.txt <<-"b.txt" real /dst/\nhello $X\na.txt\n\tworld $X\n\tb.txt');
    expect(instr).toMatchObject({
      kind: 'copy',
      sources: ['real'],
      sourceContents: [
        { path: 'a.txt', data: 'hello $X\n', expand: true },
        { path: 'b.txt', data: 'world $X\n', expand: false },
      ],
      dest: '/dst/',
    });
  });

  test('ONBUILD with a heredoc stores the body in the expression, like BuildKit', () => {
    expect(typed('ONBUILD RUN <<EOF\necho hi\nEOF')).toMatchObject({
      kind: 'onbuild',
      expression: 'RUN <<EOF\necho hi\nEOF',
    });
  });

  test('meta ARGs before the first FROM; instructions grouped per stage', () => {
    const df = parseDockerfile('ARG A\nARG B=1\nFROM x AS one\nRUN a\nFROM y\nRUN b\nRUN c\n', 'Dockerfile');
    expect(df.metaArgs.map((a) => a.args)).toEqual([[{ name: 'A' }], [{ name: 'B', defaultValue: '1' }]]);
    expect(df.stages.map((s) => s.instructions.map((i) => i.original))).toEqual([
      ['RUN a'],
      ['RUN b', 'RUN c'],
    ]);
  });
});

describe('errors name the file and the line', () => {
  test.each<[string, number, string]>([
    ['FROM x\nFOO bar', 2, 'unknown instruction "FOO"'],
    ['FROM x\n\nCOPPY a b', 3, 'unknown instruction "COPPY" (did you mean COPY?)'],
    ['FROM x\nRUN --foo make', 2, 'unknown flag --foo for RUN (allowed: --mount, --network, --security)'],
    ['FROM x\nENV --x=1 A=b', 2, 'unknown flag --x for ENV (ENV takes no flags)'],
    ['FROM x\nCOPY --from a b', 2, 'missing a value on flag --from (write --from=value)'],
    ['FROM x\nCOPY --link= a b', 2, 'missing a value on flag --link (use --link or --link=true)'],
    ['FROM x\nCOPY --link=yes a b', 2, 'expecting boolean value for flag --link, not: yes'],
    ['FROM x\nCOPY --from=a --from=b c d', 2, 'duplicate flag specified: --from'],
    ['FROM --platform=a --platform=b x', 1, 'duplicate flag specified: --platform'],
    ['FROM', 1, 'FROM requires either one or three arguments (FROM image [AS name])'],
    ['FROM a b', 1, 'FROM requires either one or three arguments (FROM image [AS name])'],
    [
      'FROM a AS 1st',
      1,
      'invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
    ],
    [
      'FROM a AS b$c',
      1,
      'invalid name for build stage: "b$c", name can\'t start with a number or contain symbols',
    ],
    [
      'FROM a\nCOPY onlyone',
      2,
      'COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    ],
    [
      'FROM a\nADD',
      2,
      'ADD requires at least two arguments, but only none were provided. Destination could not be determined',
    ],
    ['FROM a\nCOPY x <<EOF\nbody\nEOF', 2, 'COPY cannot accept a heredoc as a destination'],
    ['FROM a\nENV', 2, 'ENV requires at least one argument'],
    ['FROM a\nENV =x', 2, 'ENV names can not be blank'],
    ['FROM a\nLABEL', 2, 'LABEL requires at least one argument'],
    ['FROM a\nARG', 2, 'ARG requires at least one argument'],
    ['FROM a\nARG =x', 2, 'ARG names can not be blank'],
    ['FROM a\nEXPOSE', 2, 'EXPOSE requires at least one argument'],
    ['FROM a\nUSER', 2, 'USER requires exactly one argument'],
    ['FROM a\nWORKDIR', 2, 'WORKDIR requires exactly one argument'],
    ['FROM a\nMAINTAINER', 2, 'MAINTAINER requires exactly one argument'],
    ['FROM a\nSTOPSIGNAL', 2, 'STOPSIGNAL requires exactly one argument'],
    ['FROM a\nVOLUME', 2, 'VOLUME requires at least one argument'],
    ['FROM a\nVOLUME [""]', 2, 'VOLUME specified can not be an empty string'],
    ['FROM a\nSHELL', 2, 'SHELL requires at least one argument'],
    ['FROM a\nSHELL []', 2, 'SHELL requires at least one argument'],
    [
      'FROM a\nSHELL /bin/bash -c',
      2,
      'SHELL requires the arguments to be in JSON form: SHELL ["executable", "param"]',
    ],
    ['FROM a\nHEALTHCHECK', 2, 'HEALTHCHECK requires at least one argument'],
    ['FROM a\nHEALTHCHECK NONE x', 2, 'HEALTHCHECK NONE takes no arguments'],
    ['FROM a\nHEALTHCHECK CMD', 2, 'Missing command after HEALTHCHECK CMD'],
    ['FROM a\nHEALTHCHECK RUN x', 2, 'Unknown type "RUN" in HEALTHCHECK (try CMD)'],
    ['FROM a\nHEALTHCHECK --interval=5 CMD x', 2, 'time: missing unit in duration "5"'],
    ['FROM a\nHEALTHCHECK --timeout=3d CMD x', 2, 'time: unknown unit "d" in duration "3d"'],
    ['FROM a\nHEALTHCHECK --timeout=abc CMD x', 2, 'time: invalid duration "abc"'],
    ['FROM a\nHEALTHCHECK --interval=10us CMD x', 2, 'Interval "interval" cannot be less than 1ms'],
    ['FROM a\nHEALTHCHECK --retries=-1 CMD x', 2, '--retries cannot be negative (-1)'],
    [
      'FROM a\nHEALTHCHECK --retries=two CMD x',
      2,
      '--retries: parsing "two": invalid syntax (expected a whole number)',
    ],
    [
      'FROM a\nHEALTHCHECK --foo=1 CMD x',
      2,
      'unknown flag --foo for HEALTHCHECK (allowed: --interval, --timeout, --start-period, --start-interval, --retries)',
    ],
    ['FROM a\nONBUILD', 2, 'ONBUILD requires at least one argument'],
    ['FROM a\nONBUILD ONBUILD RUN x', 2, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"],
    ['FROM a\nONBUILD FROM b', 2, "FROM isn't allowed as an ONBUILD trigger"],
    ['FROM a\nONBUILD maintainer me', 2, "MAINTAINER isn't allowed as an ONBUILD trigger"],
    ['FROM a\nRUN --network=bridge x', 2, 'unsupported network mode "bridge" (use default, none or host)'],
    ['FROM a\nRUN --security=x y', 2, 'unsupported security mode "x" (use sandbox or insecure)'],
    [
      'FROM a\nRUN --mount=type=nfs,target=/x y',
      2,
      'unsupported mount type "nfs" (use bind, cache, tmpfs, secret, ssh)',
    ],
    ['FROM a\nRUN --mount=type=bind,size=1m,target=/x y', 2, "unexpected key 'size' for mount type 'bind'"],
    [
      'FROM a\nRUN --mount=type=tmpfs,size=lots,target=/x y',
      2,
      'invalid value for size: lots (use bytes or a size such as 64m or 1g)',
    ],
    [
      'FROM a\nRUN --mount=type=cache,sharing=wide,target=/x y',
      2,
      'unsupported sharing value "wide" (use shared, private, locked)',
    ],
    [
      'FROM a\nRUN --mount=type=bind,sharing=locked,target=/x y',
      2,
      'invalid cache sharing set for bind mount',
    ],
    ['FROM a\nRUN --mount=type=bind,mode=0600,target=/x y', 2, 'mode not allowed for "bind" type mounts'],
    ['FROM a\nRUN --mount=type=tmpfs,uid=1,target=/x y', 2, 'uid not allowed for "tmpfs" type mounts'],
    [
      'FROM a\nRUN --mount=type=cache,mode=0999,target=/x y',
      2,
      'invalid value 0999 for mode (an octal mode such as 0755)',
    ],
    ['FROM a\nRUN --mount=type=cache,uid=-1,target=/x y', 2, 'invalid value -1 for uid'],
    [
      'FROM a\nRUN --mount=type=bind,required,target=/x y',
      2,
      "unexpected key 'required' for mount type 'bind'",
    ],
    ['FROM a\nRUN --mount=type=secret y', 2, 'invalid secret mount. one of source, target required'],
    ['FROM a\nRUN --mount=type=secret,id=a,source=b y', 2, "both source and id can't be set"],
    ['FROM a\nRUN --mount=type=ssh,source=x y', 2, 'ssh does not support source'],
    [
      'FROM a\nRUN --mount=type=bind,from=$STAGE,target=/x y',
      2,
      "'from' doesn't support variable expansion, define alias stage instead",
    ],
    ['FROM a\nRUN --mount=target=/x,bogus=1 y', 2, "unexpected key 'bogus' in 'bogus=1' of --mount"],
    [
      'FROM a\nRUN --mount=target=/x,nokey y',
      2,
      "invalid field 'nokey' in --mount: it must be a key=value pair",
    ],
    ['FROM a\nRUN --mount=type=secret,id=x,from=y z', 2, 'secret mount should not have a from'],
    ['FROM a\nRUN --mount=target=/x,ro=maybe z', 2, 'invalid value for ro: expected true or false'],
    ['FROM a\nRUN --mount=\\"target=/x z', 2, '--mount="target=/x: unterminated quote'],
    [
      'FROM a\nHEALTHCHECK --retries=99999999999 CMD x',
      2,
      '--retries: parsing "99999999999": value out of range',
    ],
    [
      'FROM a\nHEALTHCHECK --interval=200000h CMD x',
      2,
      'duration "200000h" is too long (at most about 104 days)',
    ],
    [
      'RUN make',
      1,
      'RUN before the first FROM: only ARG may come before FROM (start a stage with FROM image)',
    ],
    [
      'ARG A\nenv B=1\nFROM x',
      2,
      'ENV before the first FROM: only ARG may come before FROM (start a stage with FROM image)',
    ],
    ['ARG A\n\nARG B', 1, 'dockerfile contains no stages to build: add a FROM instruction'],
    ['FROM a\nRUN a \\\n  b\nBAD', 4, 'unknown instruction "BAD"'],
  ])('%j → line %i: %s', (text, line, detail) => {
    const err = failure(text);
    expect(err.detail).toBe(detail);
    expect(err.line).toBe(line);
    expect(err.file).toBe('Dockerfile');
    expect(err.message).toBe(`Dockerfile:${line}: ${detail}`);
  });

  test('the end line covers continuations and heredoc bodies', () => {
    const err = failure('FROM a\nCOPY x \\\n  <<EOF\nbody\nEOF\n');
    expect([err.line, err.endLine]).toEqual([2, 5]);
  });

  test('like BuildKit, STOPSIGNAL and ARG ignore flags and HEALTHCHECK NONE ignores options', () => {
    expect(typed('STOPSIGNAL --x=1 SIGTERM')).toMatchObject({ signal: 'SIGTERM' });
    expect(typed('ARG --x=1 A')).toMatchObject({ args: [{ name: 'A' }] });
    expect(typed('HEALTHCHECK --interval=1s NONE')).toMatchObject({ health: { Test: ['NONE'] } });
  });
});

describe('single instructions (ONBUILD triggers from an image config)', () => {
  test('parseInstruction types one line, heredocs included', () => {
    expect(parseInstruction('RUN <<EOF\necho hi\nEOF', 'trigger')).toMatchObject({
      kind: 'run',
      heredocs: [{ name: 'EOF', content: 'echo hi\n' }],
      location: { file: 'trigger', startLine: 1, endLine: 3 },
    });
  });

  test('errors and locations point at the FROM line that runs the trigger', () => {
    const at = { file: 'Dockerfile', startLine: 7, endLine: 7 };
    expect(parseOnbuildTrigger('COPY . /src', at)).toMatchObject({ kind: 'copy', location: at });
    expect(() => parseOnbuildTrigger('BOGUS x', at)).toThrow(
      'Dockerfile:7: in trigger "BOGUS x": unknown instruction "BOGUS"',
    );
    expect(() => parseOnbuildTrigger('FROM x', at)).toThrow(
      "Dockerfile:7: FROM isn't allowed as an ONBUILD trigger (FROM x)",
    );
    expect(() => parseOnbuildTrigger('RUN a\nRUN b', at)).toThrow('expected a single instruction, found 2');
  });
});

describe('Go durations', () => {
  test.each([
    ['0', 0],
    ['1ns', 1],
    ['1.5s', 1_500_000_000],
    ['.5s', 500_000_000],
    ['1h2m3s', 3_723_000_000_000],
    ['2µs', 2000],
    ['-1m', -60_000_000_000],
    ['1.0000000001s', 1_000_000_000],
  ])('%s = %i ns', (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
  });

  test.each(['', '1', 's', '.s', '1x', '1.2.3s', '9999999999999999999h'])('%j is invalid', (text) => {
    expect(() => parseGoDuration(text)).toThrow(/time: |too long/);
  });
});

describe('running RUN (BuildKit heredoc semantics)', () => {
  const run = (line: string) => {
    const i = typed(line);
    if (i.kind !== 'run') throw new Error('not a RUN');
    return runCommandPlan({ ...i, location: { file: 'D', startLine: 2, endLine: 2 }, original: '' });
  };

  test.each<[string, unknown]>([
    ['RUN echo hi', { kind: 'shell', script: 'echo hi' }],
    ['RUN ["echo", "hi"]', { kind: 'exec', args: ['echo', 'hi'] }],
    ['RUN <<EOF\necho $HOME\nEOF', { kind: 'shell', script: 'echo $HOME\n' }],
    ['RUN <<-EOF\n\techo a\n\t\techo b\n\tEOF', { kind: 'shell', script: 'echo a\necho b\n' }],
    [
      'RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF',
      { kind: 'file', path: '/dev/pipes/EOF', content: '#!/usr/bin/env python3\nprint(1)\n', mode: 0o755 },
    ],
    ['RUN python3 <<EOF\nprint(1)\nEOF', { kind: 'shell', script: 'python3 <<EOF\nprint(1)\nEOF' }],
    [
      'RUN cat <<A > a && cat <<-"B" > b\nx\nA\n\ty\n\tB',
      { kind: 'shell', script: 'cat <<A > a && cat <<-"B" > b\nx\nA\n\ty\nB' },
    ],
  ])('%j', (line, plan) => {
    expect(run(line)).toEqual(plan);
  });
});
