import { describe, expect, test } from '@jest/globals';
import { parseDockerfile } from '../../src/dockerfile/dockerfile.js';
import { DockerfileError } from '../../src/dockerfile/errors.js';
import { runCommandPlan } from '../../src/dockerfile/run-command.js';
import { hasFeature, parseFrontendRef, resolveSyntax } from '../../src/dockerfile/syntax.js';

function parseError(text: string, opts = {}): DockerfileError {
  try {
    parseDockerfile(text, 'Dockerfile', opts);
  } catch (err) {
    expect(err).toBeInstanceOf(DockerfileError);
    return err as DockerfileError;
  }
  throw new Error('expected a DockerfileError');
}

describe('# syntax= references', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  test.each<[string, { minor?: number; patch?: number }, boolean]>([
    ['docker/dockerfile', {}, false],
    ['docker/dockerfile:latest', {}, false],
    ['docker/dockerfile:1', {}, false],
    ['docker/dockerfile:1-labs', {}, true],
    ['docker/dockerfile:labs', {}, true],
    ['docker/dockerfile:1.7', { minor: 7 }, false],
    ['docker/dockerfile:1.7-labs', { minor: 7 }, true],
    ['docker/dockerfile:1.16.0', { minor: 16, patch: 0 }, false],
    ['docker/dockerfile:1.4.0-rc1', { minor: 4, patch: 0 }, false],
    ['docker.io/docker/dockerfile:1.15', { minor: 15 }, false],
    [`docker/dockerfile:1.7@${digest}`, { minor: 7 }, false],
    [`docker.io/docker/dockerfile@${digest}`, {}, false],
    ['docker/dockerfile-upstream:master-labs', {}, true],
  ])('%s', (ref, version, labs) => {
    expect(parseFrontendRef(ref)).toEqual({ ref, version: { major: 1, ...version }, labs });
  });

  test.each([
    'docker/dockerfile:2',
    'docker/dockerfile:experimental',
    'example.com/docker/dockerfile:1',
    'tonistiigi/dockerfile:1',
    'ghcr.io/me/frontend:1',
  ])('%s is not Docker Dockerfile frontend', (ref) => {
    expect(parseFrontendRef(ref)).toBeUndefined();
  });

  test('an unknown frontend is an error naming it and the line, unless ignored', () => {
    const err = parseError('# syntax=ghcr.io/me/frontend:1 --flag\nFROM x\n');
    expect(err.line).toBe(1);
    expect(err.detail).toMatch(/cannot run the frontend image ghcr\.io\/me\/frontend:1\b/);
    expect(err.detail).toMatch(/--ignore-syntax/);
    const df = parseDockerfile('# syntax=ghcr.io/me/frontend:1\nFROM x\n', 'D', { ignoreSyntax: true });
    expect(df.syntax.ref).toBeUndefined();
    expect(df.syntax.description).toMatch(/ignored/);
  });

  test('the BUILDKIT_SYNTAX build arg replaces the directive', () => {
    const s = resolveSyntax(
      'D',
      { value: 'docker/dockerfile:1.20', line: 1 },
      { override: 'docker/dockerfile:1.7' },
    );
    expect(s.version.minor).toBe(7);
    expect(s.description).toMatch(/BUILDKIT_SYNTAX/);
  });

  test('the description names the version for the debug log', () => {
    expect(parseDockerfile('# syntax=docker/dockerfile:1.7-labs\nFROM x\n', 'D').syntax.description).toBe(
      'Dockerfile syntax 1.7 (labs) from # syntax=docker/dockerfile:1.7-labs',
    );
    expect(parseDockerfile('FROM x\n', 'D').syntax.description).toMatch(/newest/);
  });

  test('after a #! first line the syntax directive still counts', () => {
    const df = parseDockerfile(
      '#!/usr/bin/env dockerfile-runner\n# syntax=docker/dockerfile:1.7\nFROM x\n',
      'D',
    );
    expect(df.syntax.version.minor).toBe(7);
  });

  test('features follow the version (and -labs)', () => {
    const at = (ref: string) => resolveSyntax('D', { value: ref, line: 1 });
    expect(hasFeature(at('docker/dockerfile:1.15'), 'heredocWhitespace')).toBe(false);
    expect(hasFeature(at('docker/dockerfile:1.16'), 'heredocWhitespace')).toBe(true);
    expect(hasFeature(at('docker/dockerfile:1.18'), 'exclude')).toBe(false);
    expect(hasFeature(at('docker/dockerfile:1.7-labs'), 'exclude')).toBe(true);
    expect(hasFeature(at('docker/dockerfile:1'), 'parents')).toBe(true);
  });

  test('a flag newer than the selected syntax is an error saying which version has it', () => {
    const err = parseError('# syntax=docker/dockerfile:1.18\nFROM x\nCOPY --exclude=*.md . /src/\n');
    expect(err.line).toBe(3);
    expect(err.detail).toBe(
      'COPY --exclude needs Dockerfile syntax 1.19 or later, but # syntax=docker/dockerfile:1.18 selects 1.18: ' +
        'raise the version in the # syntax= line (or remove it)',
    );
    expect(() =>
      parseDockerfile('# syntax=docker/dockerfile:1.7-labs\nFROM x\nCOPY --parents a /b/\n', 'D'),
    ).not.toThrow();
    expect(parseError('# syntax=docker/dockerfile:1.16\nFROM x\nADD --unpack=true a /b/\n').detail).toMatch(
      /ADD --unpack needs Dockerfile syntax 1\.17/,
    );
  });
});

describe('heredocs with white space after <<', () => {
  test('RUN << EOF alone runs the body as the script (1.16+)', () => {
    const df = parseDockerfile('FROM x\nRUN << EOF\necho hi\nEOF\n', 'D');
    const run = df.stages[0]!.instructions[0]!;
    if (run.kind !== 'run') throw new Error('expected RUN');
    expect(run.heredocs.map((h) => h.name)).toEqual(['EOF']);
    expect(runCommandPlan(run)).toEqual({ kind: 'shell', script: 'echo hi\n' });
  });

  test('RUN << -EOF: the delimiter is "-EOF", no tab chomping', () => {
    const df = parseDockerfile('FROM x\nRUN << -EOF\n\techo hi\n-EOF\n', 'D');
    const run = df.stages[0]!.instructions[0]!;
    if (run.kind !== 'run') throw new Error('expected RUN');
    expect(run.heredocs).toEqual([{ name: '-EOF', chomp: false, expand: true, content: '\techo hi\n' }]);
  });

  test('RUN <<- EOF is no heredoc in BuildKit: the error on the body says why', () => {
    const err = parseError('FROM x\nRUN <<- EOF\n\techo hi\nEOF\n');
    expect(err.line).toBe(3);
    expect(err.detail).toBe(
      'unknown instruction "echo": line 2 has "<<- EOF", which BuildKit does not read as a heredoc ' +
        '(no space may follow "<<-", and "<< WORD" needs Dockerfile syntax 1.16), so the lines after it are ' +
        'instructions; write "<<-EOF"',
    );
  });

  test('before 1.16 RUN << EOF is no heredoc either, and the error says so', () => {
    const err = parseError('# syntax=docker/dockerfile:1.15\nFROM x\nRUN << EOF\necho hi\nEOF\n');
    expect(err.line).toBe(4);
    expect(err.detail).toMatch(/^unknown instruction "echo": line 3 has "<< EOF"/);
  });

  test('COPY << EOF /x: the body is consumed, and the two source files BuildKit would copy are named', () => {
    const err = parseError('FROM x\nCOPY << EOF /x\nhello\nEOF\n');
    expect([err.line, err.endLine]).toEqual([2, 4]);
    expect(err.detail).toBe(
      'COPY << EOF: with a space after <<, BuildKit copies files named "<<" and "EOF" instead of a heredoc ' +
        '(only RUN takes "<< EOF"); write <<EOF',
    );
  });
});
