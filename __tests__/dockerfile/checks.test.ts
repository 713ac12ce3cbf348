/**
 * Build checks, one pair of golden fixtures per rule (checks/<Rule>.trips
 * and <Rule>.clean Dockerfiles): the findings, `line: Rule: message`, must
 * equal <fixture>.golden; a trips fixture must report its rule, a clean one
 * must not. Cases follow BuildKit's dockerfile_check_test.go. After an
 * intended change: UPDATE_GOLDEN=1 (never under CI) and review the diff.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import {
  type BaseImageInfo,
  type CheckOptions,
  RULES,
  runChecks,
} from '../../src/dockerfile/checks/index.js';
import { parseDockerfile } from '../../src/dockerfile/dockerfile.js';
import { IgnoreMatcher, parseDockerignore } from '../../src/dockerfile/dockerignore.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'checks');
const update = process.env.UPDATE_GOLDEN === '1' && process.env.CI !== 'true';
const amd64 = { os: 'linux', architecture: 'amd64' };
const busybox: BaseImageInfo = {
  env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  platform: amd64,
};
const ignore = new IgnoreMatcher(parseDockerignore('Dockerfile\nsecrets\n'));

/** What a fixture needs beyond the Dockerfile. */
const OPTIONS: Record<string, Partial<CheckOptions>> = {
  'JSONArgsRecommended.clean': { baseImages: new Map([[2, { ...busybox, shell: ['/bin/bash', '-c'] }]]) },
  'UndefinedVar.trips': { baseImages: new Map([[0, busybox]]) },
  'UndefinedVar.clean': { baseImages: new Map([[0, { ...busybox, env: [...busybox.env, 'FROM_IMAGE=1'] }]]) },
  'InvalidBaseImagePlatform.trips': {
    baseImages: new Map([
      [0, { ...busybox, platform: { os: 'linux', architecture: 'arm64' } }],
      [1, busybox],
    ]),
  },
  'InvalidBaseImagePlatform.clean': { baseImages: new Map([[0, busybox]]) },
  'InvalidDefaultArgInFrom.trips': {
    buildArgs: new Map([
      ['VERSION', 'latest'],
      ['IMAGE', 'busybox:latest'],
      ['SFX', 'box:latest'],
    ]),
  },
  'CopyIgnoredFile.trips': { dockerignore: ignore },
  'CopyIgnoredFile.clean': { dockerignore: ignore },
};

function check(name: string, text: string, extra: Partial<CheckOptions> = {}) {
  const df = parseDockerfile(text, 'Dockerfile');
  return runChecks(df, {
    buildArgs: new Map(),
    buildPlatform: amd64,
    targetPlatform: amd64,
    ...extra,
  }).findings.map((f) => ({ ...f, fixture: name }));
}

const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.Dockerfile'))
  .map((f) => f.slice(0, -'.Dockerfile'.length))
  .sort();

describe('build checks: golden fixtures per rule', () => {
  test('every rule has a trips and a clean fixture', () => {
    for (const rule of Object.keys(RULES)) {
      expect(fixtures).toContain(`${rule}.trips`);
      expect(fixtures).toContain(`${rule}.clean`);
    }
  });

  test.each(fixtures)('%s', (name) => {
    const [rule, kind] = name.split('.') as [string, 'trips' | 'clean'];
    const findings = check(name, readFileSync(path.join(dir, `${name}.Dockerfile`), 'utf8'), OPTIONS[name]);
    const actual = findings.map((f) => `${f.location.startLine}: ${f.rule}: ${f.message}\n`).join('');
    const goldenFile = path.join(dir, `${name}.golden`);
    if (update) writeFileSync(goldenFile, actual);
    expect(actual).toBe(readFileSync(goldenFile, 'utf8'));
    const own = findings.filter((f) => f.rule === rule);
    if (kind === 'trips') expect(own.length).toBeGreaterThan(0);
    else expect(own).toEqual([]);
  });
});

describe('# check= and the syntax version', () => {
  const rules = (text: string, extra: Partial<CheckOptions> = {}) =>
    check('inline', text, extra).map((f) => `${f.location.startLine}:${f.rule}`);
  const casing = 'FROM scratch as base\ncopy Dockerfile .\n';

  test('skip=all, a list of rules, or some rules', () => {
    expect(rules(casing)).toEqual(['1:FromAsCasing', '2:ConsistentInstructionCasing']);
    expect(rules(`#check=skip=all\n${casing}`)).toEqual([]);
    expect(rules(`#check=skip=ConsistentInstructionCasing,FromAsCasing\n${casing}`)).toEqual([]);
    expect(rules(`# check=skip=ConsistentInstructionCasing\n${casing}`)).toEqual(['2:FromAsCasing']);
  });

  test('error=true turns findings into the build error, naming the rules and the first line', () => {
    const df = parseDockerfile(`#check=skip=ConsistentInstructionCasing;error=true\n${casing}`, 'Dockerfile');
    const report = runChecks(df, { buildArgs: new Map(), buildPlatform: amd64, targetPlatform: amd64 });
    expect(report.error?.message).toBe(
      'Dockerfile:2: lint violation found for rules: FromAsCasing (the # check= directive sets error=true)',
    );
    const clean = parseDockerfile('#check=error=true\nFROM scratch\n', 'Dockerfile');
    expect(
      runChecks(clean, { buildArgs: new Map(), buildPlatform: amd64, targetPlatform: amd64 }).error,
    ).toBeUndefined();
  });

  test('the BUILDKIT_DOCKERFILE_CHECK build arg replaces the directive', () => {
    const buildArgs = new Map([['BUILDKIT_DOCKERFILE_CHECK', 'skip=ConsistentInstructionCasing']]);
    expect(rules(`#check=skip=all\n${casing}`, { buildArgs })).toEqual(['2:FromAsCasing']);
  });

  test('an invalid option is an error at the directive', () => {
    expect(() => rules(`# check=skip=all;bogus\n${casing}`)).toThrow(
      /^Dockerfile:1: failed to parse check options \(# check=\): invalid check option "bogus"/,
    );
  });

  test('a # check= comment above an instruction applies to it only (dockerfile 1.21)', () => {
    const text =
      'FROM scratch\n# check=skip=SecretsUsedInArgOrEnv // allow it here\nENV password=bar\nENV secret=baz\n' +
      '# check=skip=all\nARG token\n';
    expect(rules(text)).toEqual(['4:SecretsUsedInArgOrEnv']);
    expect(rules(`# syntax=docker/dockerfile:1.20\n${text}`)).toEqual([
      '4:SecretsUsedInArgOrEnv',
      '5:SecretsUsedInArgOrEnv',
      '7:SecretsUsedInArgOrEnv',
    ]);
  });

  test('rules newer than the selected syntax do not run; before 1.8 no check runs', () => {
    const expose = 'FROM scratch\nEXPOSE 80/TCP\nMAINTAINER me\n';
    expect(rules(`# syntax=docker/dockerfile:1.17\n${expose}`)).toEqual(['4:MaintainerDeprecated']);
    expect(rules(`# syntax=docker/dockerfile:1.18\n${expose}`)).toEqual([
      '3:ExposeProtoCasing',
      '4:MaintainerDeprecated',
    ]);
    const df = parseDockerfile(`# syntax=docker/dockerfile:1.7\n${expose}`, 'Dockerfile');
    expect(runChecks(df, { buildArgs: new Map(), buildPlatform: amd64, targetPlatform: amd64 })).toEqual({
      ran: false,
      findings: [],
    });
  });

  test('only the stages given are dispatched (a build checks the stages it builds)', () => {
    const text = 'FROM scratch AS first\nCOPY $foo .\n\nFROM scratch AS second\nCOPY $bar .\n';
    expect(rules(text)).toEqual(['2:UndefinedVar', '5:UndefinedVar']);
    expect(rules(text, { stages: [1] })).toEqual(['5:UndefinedVar']);
  });
});
