// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile words under test use ${...}
import { describe, expect, test } from '@jest/globals';
import { exposedPorts, stopSignal, volumes, workdir } from '../../src/dockerfile/dispatch-values.js';
import { type ParsedDockerfile, parseDockerfile } from '../../src/dockerfile/dockerfile.js';
import { DockerfileError } from '../../src/dockerfile/errors.js';
import { expandInstruction } from '../../src/dockerfile/expand.js';
import type { Instruction } from '../../src/dockerfile/instructions.js';
import { platformArgs } from '../../src/dockerfile/platform.js';
import { DEFAULT_PATH, resolveGlobalArgs, StageScope } from '../../src/dockerfile/scope.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM = { os: 'linux', architecture: 'arm', variant: 'v7' };

/**
 * Runs the ENV and ARG instructions of the last stage through a scope the way
 * an executor does, and returns the scope and the expanded instructions.
 */
function dispatch(
  text: string,
  buildArgs: Record<string, string> = {},
  baseEnv: string[] = ['PATH=/bin'],
): { scope: StageScope; expanded: Instruction[]; df: ParsedDockerfile } {
  const df = parseDockerfile(text, 'Dockerfile');
  const args = new Map(Object.entries(buildArgs));
  const globalArgs = resolveGlobalArgs(df.metaArgs, args, platformArgs(AMD64, ARM, '', args), df.escapeToken);
  const scope = StageScope.forImage({ baseEnv, buildArgs: args, globalArgs, escapeToken: df.escapeToken });
  const expanded: Instruction[] = [];
  for (const instr of df.stages[df.stages.length - 1]!.instructions) {
    const x = expandInstruction(instr, scope);
    expanded.push(x);
    if (x.kind === 'env') scope.applyEnv(x.pairs);
    if (x.kind === 'arg') scope.applyArg(x);
  }
  return { scope, expanded, df };
}

const env = (scope: StageScope) =>
  Object.fromEntries(scope.runEnvironment().map((e) => e.split(/=(.*)/s).slice(0, 2)));

describe('global ARGs (FROM lines, bare ARG re-declarations)', () => {
  test('predefined platform ARGs, overridable by build args', () => {
    expect(Object.fromEntries(platformArgs(AMD64, ARM, 'final'))).toEqual({
      BUILDPLATFORM: 'linux/amd64',
      BUILDOS: 'linux',
      BUILDARCH: 'amd64',
      BUILDVARIANT: '',
      TARGETPLATFORM: 'linux/arm/v7',
      TARGETOS: 'linux',
      TARGETARCH: 'arm',
      TARGETVARIANT: 'v7',
      TARGETSTAGE: 'final',
    });
    expect(platformArgs(AMD64, AMD64, '', new Map([['TARGETARCH', 'riscv64']])).get('TARGETARCH')).toBe(
      'riscv64',
    );
  });

  test('meta ARG defaults expand against earlier ones; build args win; no default stays unset', () => {
    const df = parseDockerfile('ARG A=1\nARG B=${A}-$TARGETARCH\nARG C\nARG D=d\nFROM x\n', 'Dockerfile');
    const g = resolveGlobalArgs(df.metaArgs, new Map([['D', 'given']]), platformArgs(AMD64, ARM, ''), '\\');
    expect([g.get('A'), g.get('B'), g.has('C'), g.get('D')]).toEqual(['1', '1-arm', false, 'given']);
  });

  test('an expansion error in a meta ARG names its line', () => {
    const df = parseDockerfile('ARG A\nARG B=${A:?set_A}\nFROM x\n', 'Dockerfile');
    expect(() => resolveGlobalArgs(df.metaArgs, new Map(), new Map(), '\\')).toThrow(
      'Dockerfile:2: failed to process "${A:?set_A}": A: set_A',
    );
    expect(resolveGlobalArgs(df.metaArgs, new Map([['A', 'ok']]), new Map(), '\\').get('B')).toBe('ok');
  });
});

describe('stage scope', () => {
  test('starts from the base config Env; a default PATH is added when the base has none', () => {
    const opts = { buildArgs: new Map(), globalArgs: new Map(), escapeToken: '\\' as const };
    expect(StageScope.forImage({ ...opts, baseEnv: [] }).configEnv()).toEqual([`PATH=${DEFAULT_PATH}`]);
    const s = StageScope.forImage({ ...opts, baseEnv: ['PATH=/x', 'LANG=C.UTF-8', 'BARE'] });
    expect(s.configEnv()).toEqual(['PATH=/x', 'LANG=C.UTF-8', 'BARE=']);
    expect(s.expand('$LANG:$PATH')).toBe('C.UTF-8:/x');
  });

  test('ARG: build arg wins over the default; the default is expanded in scope', () => {
    const { scope } = dispatch('FROM x\nENV V=1\nARG A=a$V B=b$V\n', { A: 'given' });
    expect([scope.get('A'), scope.get('B')]).toEqual(['given', 'b1']);
  });

  test('a default is not expanded when a build arg replaces it (no error from it)', () => {
    const { scope } = dispatch('FROM x\nARG A=${UNSET:?boom}\n', { A: 'ok' });
    expect(scope.get('A')).toBe('ok');
    expect(() => dispatch('FROM x\n\nARG A=${UNSET:?boom}\n')).toThrow(
      'Dockerfile:3: failed to process "${UNSET:?boom}": UNSET: boom',
    );
  });

  test('a bare ARG takes the meta ARG or platform value; without one it is declared but unset', () => {
    const { scope } = dispatch(
      'ARG VERSION=1.2\nARG NOVALUE\nFROM x\nARG VERSION TARGETARCH TARGETPLATFORM NOVALUE\n',
    );
    expect([scope.get('VERSION'), scope.get('TARGETARCH'), scope.get('TARGETPLATFORM')]).toEqual([
      '1.2',
      'arm',
      'linux/arm/v7',
    ]);
    expect(scope.get('NOVALUE')).toBeUndefined();
    expect(scope.declaredArgs().map((a) => a.name)).toEqual([
      'VERSION',
      'TARGETARCH',
      'TARGETPLATFORM',
      'NOVALUE',
    ]);
    expect(scope.historyArgs()).toEqual([
      'VERSION=1.2',
      'TARGETARCH=arm',
      'TARGETPLATFORM=linux/arm/v7',
      'NOVALUE=',
    ]);
  });

  test('meta ARGs and build args are invisible in a stage until declared', () => {
    const { scope, expanded } = dispatch('ARG M=meta\nFROM x\nENV E="$M|$B|$TARGETARCH"\n', { B: 'b' });
    expect(expanded[0]).toMatchObject({ pairs: [{ key: 'E', value: '||' }] });
    expect(scope.get('M')).toBeUndefined();
  });

  test('ENV after ARG shadows it; ARG after ENV wins for later words and RUN, never the config', () => {
    const { scope } = dispatch('FROM x\nARG A=arg\nENV A=env\nENV B=env\nARG B=arg\nENV C=$B\n');
    expect([scope.get('A'), scope.get('B'), scope.get('C')]).toEqual(['env', 'arg', 'arg']);
    expect(scope.configEnv()).toEqual(['PATH=/bin', 'A=env', 'B=env', 'C=arg']);
    expect(env(scope)).toMatchObject({ A: 'env', B: 'arg', C: 'arg' });
    expect(scope.historyArgs()).toEqual(['A=env', 'B=arg']);
  });

  test('matches what BuildKit (docker 20.10) did with the same Dockerfile and build args', () => {
    // Observed: RUN env A=arg B=envb C=arg HTTP_PROXY/http_proxy, config Env
    // [PATH A=env B=envb C=arg], history "RUN |3 A=arg B=envb UNSETARG= ...".
    const { scope } = dispatch(
      'FROM scratch\nENV A=env\nARG A=arg\nARG B=argb\nENV B=envb\nARG UNSETARG\nENV C=$A\n',
      { HTTP_PROXY: 'http://p:1', NOTDECLARED: '1' },
      [],
    );
    expect(scope.configEnv()).toEqual([`PATH=${DEFAULT_PATH}`, 'A=env', 'B=envb', 'C=arg']);
    expect(scope.runEnvironment().sort()).toEqual([
      'A=arg',
      'B=envb',
      'C=arg',
      'HTTP_PROXY=http://p:1',
      `PATH=${DEFAULT_PATH}`,
      'http_proxy=http://p:1',
    ]);
    expect(scope.historyArgs()).toEqual(['A=arg', 'B=envb', 'UNSETARG=']);
  });

  test('ENV pairs see the scope before the instruction (ENV a=x b=$a)', () => {
    const { scope } = dispatch('FROM x\nENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n');
    expect([scope.get('def'), scope.get('ghi')]).toEqual(['hello', 'bye']);
  });

  test('ENV replaces a base Env entry in place', () => {
    const { scope } = dispatch('FROM x\nENV PATH=/usr/bin:$PATH NEW=1\n');
    expect(scope.configEnv()).toEqual(['PATH=/usr/bin:/bin', 'NEW=1']);
  });

  test('runEnvironment: ENV and ARG values plus undeclared proxy build args (both spellings)', () => {
    const { scope } = dispatch('FROM x\nARG A=1\nARG UNSETARG\nENV E=2\n', {
      HTTP_PROXY: 'http://p:3128',
      no_proxy: 'localhost',
      OTHER: 'nope',
    });
    expect(scope.runEnvironment()).toEqual([
      'PATH=/bin',
      'A=1',
      'E=2',
      'HTTP_PROXY=http://p:3128',
      'http_proxy=http://p:3128',
      'NO_PROXY=localhost',
      'no_proxy=localhost',
    ]);
    expect(scope.historyArgs()).toEqual(['A=1', 'UNSETARG=']);
    expect(scope.expand('[$HTTP_PROXY]')).toBe('[]');
  });

  test('a declared proxy ARG is an ordinary ARG (history, expansion) and wins in RUN', () => {
    const { scope } = dispatch('FROM x\nARG HTTP_PROXY\n', {
      HTTP_PROXY: 'http://p',
      http_proxy: 'http://q',
    });
    expect(scope.historyArgs()).toEqual(['HTTP_PROXY=http://p']);
    expect(scope.expand('$HTTP_PROXY')).toBe('http://p');
    expect(scope.runEnvironment()).toEqual(['PATH=/bin', 'HTTP_PROXY=http://p', 'http_proxy=http://q']);
  });

  test('historyArgs: one entry per name, first position, current value', () => {
    const { scope } = dispatch('FROM x\nARG A=1\nARG B=2\nARG A=3\n');
    expect(scope.historyArgs()).toEqual(['A=3', 'B=2']);
  });

  test('clone(): a stage FROM an earlier stage starts with its ENV and ARGs', () => {
    const { scope } = dispatch('FROM x\nARG A=1\nENV E=2\n');
    const child = scope.clone();
    child.applyEnv([{ key: 'E', value: '3' }]);
    expect([child.get('A'), child.get('E'), scope.get('E')]).toEqual(['1', '3', '2']);
    expect(child.historyArgs()).toEqual(['A=1']);
  });

  test('the escape directive applies to expansion', () => {
    const { scope } = dispatch('# escape=`\nFROM x\nENV W=C:\\dir A="a`"b"\n');
    expect([scope.get('W'), scope.get('A')]).toEqual(['C:\\dir', 'a"b']);
  });
});

describe('expandInstruction: the fields BuildKit expands', () => {
  const text = [
    'FROM x',
    'ARG D=/dst U=app MODE=0755 SRC=src P1=80 P2="443 8443/udp" SIG=SIGTERM V=/data',
    'ENV ${U}_HOME=/home/$U',
    'LABEL "$U.version"="v-$D"',
    'COPY --from=$U --chown=$U:$U --chmod=$MODE --exclude=$SRC/*.md $SRC/a "${SRC}/b" $D/',
    'ADD --checksum=$MODE --chown=$U https://x/$SRC.tgz $D',
    'COPY <<one.txt <<"two.txt" $D/',
    '$U at $D',
    'one.txt',
    '$U at $D',
    'two.txt',
    'EXPOSE $P1 $P2',
    'USER $U:$U',
    'WORKDIR $D/$U',
    'VOLUME $V $V/logs',
    'VOLUME ["$V", "/logs"]',
    'STOPSIGNAL $SIG',
    'RUN echo $U',
    'CMD echo $U',
    'ENTRYPOINT ["$U"]',
    'HEALTHCHECK CMD echo $U',
    'ONBUILD RUN echo $U',
    'MAINTAINER $U',
    'ARG NEXT=$U',
  ].join('\n');

  test('expanded fields', () => {
    const { expanded } = dispatch(text);
    const [, env, label, copy, add, heredocCopy, expose, user, wd, vol1, vol2, sig, ...rest] = expanded;
    expect(env).toMatchObject({ pairs: [{ key: 'app_HOME', value: '/home/app' }] });
    expect(label).toMatchObject({ pairs: [{ key: 'app.version', value: 'v-/dst' }] });
    expect(copy).toMatchObject({
      from: '$U',
      chown: 'app:app',
      chmod: '0755',
      exclude: ['src/*.md'],
      sources: ['src/a', 'src/b'],
      dest: '/dst/',
    });
    expect(add).toMatchObject({
      checksum: '0755',
      chown: 'app',
      sources: ['https://x/src.tgz'],
      dest: '/dst',
    });
    expect(heredocCopy).toMatchObject({
      dest: '/dst/',
      sourceContents: [
        { path: 'one.txt', data: 'app at /dst\n', expand: true },
        { path: 'two.txt', data: '$U at $D\n', expand: false },
      ],
    });
    expect(expose).toMatchObject({ ports: ['80', '443', '8443/udp'] });
    expect(user).toMatchObject({ user: 'app:app' });
    expect(wd).toMatchObject({ path: '/dst/app' });
    expect(vol1).toMatchObject({ volumes: ['/data', '/data/logs'] });
    expect(vol2).toMatchObject({ volumes: ['/data', '/logs'] });
    expect(sig).toMatchObject({ signal: 'SIGTERM' });
    expect(rest.map((i) => i.kind)).toEqual([
      'run',
      'cmd',
      'entrypoint',
      'healthcheck',
      'onbuild',
      'maintainer',
      'arg',
    ]);
    const originals = parseDockerfile(text, 'Dockerfile').stages[0]!.instructions.slice(12);
    expect(rest).toEqual(originals);
  });

  test('COPY sources split on spaces before expansion: a quoted space is an error, like BuildKit', () => {
    expect(() => dispatch(text)).not.toThrow();
    const { expanded } = dispatch('FROM x\nCOPY ["a b", "$X/d"]\nCOPY a$X b\n', {});
    expect(expanded[0]).toMatchObject({ sources: ['a b'], dest: '/d' });
    expect(() => dispatch('FROM x\nCOPY "a b" /d\n')).toThrow(
      'Dockerfile:2: failed to process "\\"a": unexpected end of statement while looking for matching double-quote',
    );
  });

  test('RUN --mount values are expanded against the scope (from= never is); then checked', () => {
    const { expanded } = dispatch(
      'FROM x\nARG T=cache NAME=npm\nENV HOME=/home/app\nRUN --mount=type=$T,target=$HOME/.npm,id=${NAME}-c,sharing=locked npm ci\n',
    );
    expect(expanded[2]).toMatchObject({
      mounts: [
        {
          type: 'cache',
          target: '/home/app/.npm',
          readonly: false,
          options: { type: 'cache', target: '/home/app/.npm', id: 'npm-c', sharing: 'locked' },
        },
      ],
    });
    expect((expanded[2] as { mounts: { raw?: string }[] }).mounts[0]!.raw).toBeUndefined();
    expect(() => dispatch('FROM x\nARG S=huge\nRUN --mount=type=tmpfs,target=/t,size=$S x\n')).toThrow(
      'Dockerfile:3: invalid value for size: huge (use bytes or a size such as 64m or 1g)',
    );
  });

  test('an expansion error names the instruction line', () => {
    expect(() => dispatch('FROM x\n\nUSER ${NAME:?set NAME}\n')).toThrow(
      new DockerfileError('Dockerfile', 3, 'failed to process "${NAME:?set NAME}": NAME: set NAME'),
    );
  });
});

describe('values checked at dispatch', () => {
  const one = (line: string) => dispatch(`FROM x\n${line}\n`).expanded[0]!;

  test('EXPOSE → ExposedPorts keys', () => {
    const e = one('EXPOSE 80 443/TCP 53/udp 8000-8002 127.0.0.1:8080:9090/sctp 80');
    if (e.kind !== 'expose') throw new Error();
    expect(exposedPorts(e)).toEqual([
      '443/tcp',
      '53/udp',
      '80/tcp',
      '8000/tcp',
      '8001/tcp',
      '8002/tcp',
      '9090/sctp',
    ]);
  });

  test.each([
    ['EXPOSE x', 'EXPOSE x: invalid containerPort: x'],
    ['EXPOSE 70000', 'EXPOSE 70000: invalid containerPort: 70000'],
    ['EXPOSE 90-80', 'EXPOSE 90-80: invalid range specified for port: 90-80'],
    ['EXPOSE 80/icmp', 'EXPOSE 80/icmp: invalid proto: icmp (use tcp, udp or sctp)'],
    ['EXPOSE /tcp', 'EXPOSE /tcp: no port specified'],
  ])('%s fails', (line, detail) => {
    const e = one(line);
    if (e.kind !== 'expose') throw new Error();
    expect(() => exposedPorts(e)).toThrow(`Dockerfile:2: ${detail}`);
  });

  test('STOPSIGNAL accepts names with or without SIG and non-zero numbers', () => {
    for (const s of ['SIGTERM', 'term', 'SIGRTMIN+3', '9']) {
      const i = one(`STOPSIGNAL ${s}`);
      if (i.kind !== 'stopsignal') throw new Error();
      expect(stopSignal(i)).toBe(s);
    }
    for (const s of ['SIGFOO', '0']) {
      const i = one(`STOPSIGNAL ${s}`);
      if (i.kind !== 'stopsignal') throw new Error();
      expect(() => stopSignal(i)).toThrow(`Dockerfile:2: invalid signal: ${s}`);
    }
  });

  test('VOLUME may not expand to an empty path', () => {
    const v = one('VOLUME $UNSET');
    if (v.kind !== 'volume') throw new Error();
    expect(() => volumes(v)).toThrow('Dockerfile:2: VOLUME specified can not be an empty string');
  });

  test('WORKDIR is relative to the current one', () => {
    const w = (current: string, path: string) =>
      workdir(current, {
        kind: 'workdir',
        path,
        location: { file: 'D', startLine: 1, endLine: 1 },
        original: '',
      });
    expect([w('', 'app'), w('/srv', 'app/'), w('/srv', '../x'), w('/srv', '/abs/'), w('/', '.')]).toEqual([
      '/app',
      '/srv/app',
      '/x',
      '/abs/',
      '/',
    ]);
    expect(() => w('/', '')).toThrow('D:1: WORKDIR cannot be empty');
  });
});

describe('runaway expansion is refused at its line (issue 19)', () => {
  /** 32 characters doubled by each ARG: the 17th line would hold 2 MiB. */
  const doubling = (lines: number, first = 'ARG') =>
    [
      `${first} A0=0123456789abcdef0123456789abcdef`,
      ...Array.from({ length: lines - 1 }, (_, i) => `ARG A${i + 1}=\${A${i}}\${A${i}}`),
    ].join('\n');

  test('27 lines of doubling meta ARGs fail at the line past 1 MiB, without building the value', () => {
    const df = parseDockerfile(`${doubling(27)}\nFROM scratch\n`, 'Dockerfile');
    const e = (() => {
      try {
        resolveGlobalArgs(df.metaArgs, new Map(), platformArgs(AMD64, AMD64, ''), '\\');
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(DockerfileError);
    expect((e as DockerfileError).line).toBe(17);
    expect((e as Error).message).toMatch(/^Dockerfile:17: .*longer than 1 MiB/);
  });

  test('the same inside a stage, and in a ${VAR//pattern/replacement} that multiplies', () => {
    expect(() => dispatch(`FROM x\n${doubling(27)}\n`)).toThrow(/^Dockerfile:18: .*longer than 1 MiB/);
    const big = 'x'.repeat(4096);
    expect(() => dispatch(`FROM x\nARG A=${big}\nENV B=\${A//?/$A}\n`)).toThrow(
      /^Dockerfile:3: .*longer than 1 MiB/,
    );
  });

  test('words under the cap still add up: a stage may expand at most 64 MiB in all', () => {
    const labels = Array.from({ length: 80 }, (_, i) => `LABEL l${i}="$A15"`);
    const text = `FROM x\n${doubling(16)}\n${labels.join('\n')}\n`;
    // A15 is 1 MiB: about the 64th label crosses 64 MiB.
    expect(() => dispatch(text)).toThrow(/^Dockerfile:(7[0-9]|8[0-9]): .*more than 64 MiB/);
  });
});
