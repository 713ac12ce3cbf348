/**
 * `kiln check` and `kiln build --check` against a real registry holding
 * busybox: findings printed with their lines and exit 1, a clean Dockerfile
 * exit 0; the checks read the base image's config (its Env for UndefinedVar,
 * its platform for InvalidBaseImagePlatform). `kiln build` prints the same
 * findings as warnings and builds; `# check=error=true` stops it first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { hostPlatform } from '../../src/image/platform.js';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { BUSYBOX_FIXTURE_BINARIES, pushBusyboxImage } from '../lab/busybox-fixture.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { runCli } from './run-cli.js';

describeWith({ binaries: [...BUSYBOX_FIXTURE_BINARIES, 'docker-registry'] }, 'kiln check', () => {
  let registry: TestRegistry;
  let dir = '';
  let base = '';
  let n = 0;

  beforeAll(async () => {
    registry = await startRegistry();
    const client = new RegistryClient({ insecure: [registry.host] });
    await pushBusyboxImage(client, [parseReference(`${registry.host}/base/busybox:1`)]);
    await client.close();
    base = `${registry.host}/base/busybox:1`;
    dir = await mkdtemp(path.join(tmpdir(), 'kiln-check-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function context(dockerfile: string, files: Record<string, string> = {}): Promise<string> {
    const ctx = path.join(dir, `ctx-${++n}`);
    await import('node:fs/promises').then((fs) => fs.mkdir(ctx));
    await writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(ctx, name), text);
    return ctx;
  }
  const kiln = (ctx: string, ...argv: string[]) =>
    runCli([...argv, '--context', ctx, '--insecure-registry', registry.host], { cwd: ctx });

  test('findings with their lines, exit 1; the base image Env counts as defined', async () => {
    const ctx = await context(`FROM ${base} as build\nENV P=$PATH\nCOPY $MISSING /x\nCMD run\n`);
    const r = await kiln(ctx, 'check');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        "Dockerfile:1: FromAsCasing: 'as' and 'FROM' keywords' casing do not match (https://docs.docker.com/go/dockerfile/rule/from-as-casing/)",
        `     1 | FROM ${base} as build`,
        "Dockerfile:3: UndefinedVar: Usage of undefined variable '$MISSING' (https://docs.docker.com/go/dockerfile/rule/undefined-var/)",
        '     3 | COPY $MISSING /x',
        'Dockerfile:4: JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (https://docs.docker.com/go/dockerfile/rule/json-args-recommended/)',
        '     4 | CMD run',
        'Check complete, 3 warnings have been found!',
        '',
      ].join('\n'),
    );
    const same = await kiln(ctx, 'build', '--check');
    expect([same.code, same.stdout]).toEqual([1, r.stdout]);
  });

  test('a clean Dockerfile: exit 0', async () => {
    const ctx = await context(`FROM ${base} AS build\nCMD ["run"]\n`);
    const r = await kiln(ctx, 'check');
    expect([r.code, r.stdout]).toEqual([0, 'Check complete, no warnings found.\n']);
  });

  test('a base image pulled for another platform than asked is InvalidBaseImagePlatform', async () => {
    const other = hostPlatform().architecture === 'arm64' ? 'linux/amd64' : 'linux/arm64';
    const ctx = await context(`FROM ${base}\n`);
    const r = await kiln(ctx, 'check', '--custom-platform', other);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `Dockerfile:1: InvalidBaseImagePlatform: Base image ${base} was pulled with platform "linux/${hostPlatform().architecture}", expected "${other}" for current build`,
    );
  });

  test('a build prints findings as warnings and builds; error=true stops it before any step', async () => {
    const ctx = await context(`FROM ${base}\nMAINTAINER me\nRUN echo built\n`);
    const ok = await kiln(ctx, 'build', '--no-push', '--workspace', path.join(dir, 'ws'));
    expect(ok.stderr).toMatch(
      /warning: \S*Dockerfile:2: MaintainerDeprecated: Maintainer instruction is deprecated/,
    );
    expect(ok.code).toBe(0);
    const strict = await context(`# check=error=true\nFROM ${base}\nMAINTAINER me\nRUN echo built\n`);
    const r = await kiln(strict, 'build', '--no-push', '--workspace', path.join(dir, 'ws'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Dockerfile:3: lint violation found for rules: MaintainerDeprecated \(the # check= directive sets error=true\)/,
    );
    expect(r.stderr).not.toContain('RUN echo built');
  });
});
