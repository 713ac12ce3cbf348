import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCli } from '../cli/run-cli.js';

let dir = '';

const kiln = (argv: string[], env: NodeJS.ProcessEnv = {}) => runCli(argv, { cwd: dir, env });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kiln-parse-'));
  await writeFile(
    path.join(dir, 'Dockerfile'),
    'ARG BASE=alpine\nFROM $BASE AS build\nARG VERSION\nRUN echo $VERSION\nFROM build AS other\nFROM scratch\nCOPY --from=build /x /x\n',
  );
  await writeFile(path.join(dir, 'broken.Dockerfile'), 'FROM alpine\nRUN ok\n\nFROOM x\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kiln parse', () => {
  test('prints stages, instructions and the plan as JSON', async () => {
    const r = await kiln(
      ['parse', '--build-arg', 'VERSION=1', '--build-arg', 'BASE', '--platform', 'linux/arm/v7'],
      {
        BASE: 'busybox',
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.file).toBe('Dockerfile');
    expect(out.stages.map((s: { name?: string }) => s.name)).toEqual(['build', 'other', undefined]);
    expect(out.stages[0].instructions[1]).toMatchObject({
      kind: 'run',
      command: { form: 'shell', command: 'echo $VERSION' },
    });
    expect(out.plan.target).toBe(2);
    expect(out.plan.stages.map((s: { index: number }) => s.index)).toEqual([0, 2]);
    expect(out.plan.stages[0].base).toEqual({ kind: 'image', ref: 'busybox' });
    expect(out.plan.globalArgs).toMatchObject({
      BASE: 'busybox',
      TARGETPLATFORM: 'linux/arm/v7',
      TARGETVARIANT: 'v7',
    });
  });

  test('--target and -f; warnings go to stderr and into the JSON', async () => {
    const r = await kiln(['parse', '-f', 'Dockerfile', '--target', 'other', '--build-arg', 'NOPE=1']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.plan.stages.map((s: { index: number }) => s.index)).toEqual([0, 1]);
    expect(out.warnings).toEqual([
      'Dockerfile: build argument "NOPE" is not used: no ARG NOPE in the stages built',
    ]);
    expect(r.stderr).toBe(
      'kiln: warning: Dockerfile: build argument "NOPE" is not used: no ARG NOPE in the stages built\n',
    );
  });

  test('a Dockerfile error exits 1 naming file and line', async () => {
    const r = await kiln(['parse', '--file=broken.Dockerfile']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'kiln: error: broken.Dockerfile:4: unknown instruction "FROOM" (did you mean FROM?)\n',
    });
  });

  test('planning errors too (unknown target)', async () => {
    const r = await kiln(['parse', '--target', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'kiln: error: Dockerfile: target stage "nope" could not be found (stages: build, other)\n',
    );
  });

  test('usage errors exit 2', async () => {
    expect((await kiln(['parse', '-f', 'missing'])).stderr).toBe(
      'kiln: cannot read missing: no such file (name the Dockerfile with -f)\n',
    );
    expect((await kiln(['parse', 'extra'])).code).toBe(2);
    expect((await kiln(['parse', '--platform', 'nonsense'])).stderr).toMatch(
      /^kiln: --platform: invalid platform/,
    );
  });

  test('help', async () => {
    const r = await kiln(['help', 'parse']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: kiln parse \[flags\]/);
    expect((await kiln(['parse', '--help'])).stdout).toBe(r.stdout);
    expect((await kiln(['--help'])).stdout).toMatch(/parse +Print the stages, instructions and build plan/);
  });
});
