import { describe, expect, test } from '@jest/globals';
import { envInputReader, INPUT_NAMES, inputEnvName, readInputs } from '../../src/action/inputs.js';
import { githubCtx, readActionYml, runnerEnv } from './helpers.js';

describe('action.yml', () => {
  const yml = readActionYml();

  test('runs on node24 from dist/index.js, with branding', () => {
    expect(yml.text).toMatch(/^runs:\n {2}using: node24\n {2}main: dist\/index\.js\n?$/m);
    expect(yml.text).toMatch(/^branding:\n {2}icon: \S+\n {2}color: \S+$/m);
    expect(yml.text).toMatch(/^name: \S/m);
    expect(yml.text).toMatch(/^description: \S/m);
  });

  test('one-line values are plain YAML scalars (": " in one makes GitHub refuse the whole file)', () => {
    const bad = yml.text.split('\n').filter((l) => /^ {2,4}[\w-]+: (?![>|'"]).*: /.test(l));
    expect(bad).toEqual([]);
  });

  test('declares exactly the inputs readInputs reads', () => {
    expect([...yml.inputs.keys()].sort()).toEqual([...INPUT_NAMES].sort());
  });

  test('every input has a description and a default; none is required (image may be left out for tags)', () => {
    for (const [name, spec] of yml.inputs) {
      expect([name, spec.description.length > 20]).toEqual([name, true]);
      expect([name, spec.default !== undefined, spec.required]).toEqual([name, true, false]);
    }
  });

  test.each([
    ['registry', 'ghcr.io'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, literally
    ['username', '${{ github.actor }}'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, literally
    ['password', '${{ github.token }}'],
    ['path', '.'],
    ['build_file', 'Dockerfile'],
    ['push', ''],
    ['cache', 'false'],
    ['sha_length', '7'],
    ['isolation', 'auto'],
    ['tag_with_latest', 'false'],
  ])('default of %s is %s', (name, value) => {
    expect(yml.inputs.get(name)?.default).toBe(value);
  });

  test('declares the outputs, each described', () => {
    expect([...yml.outputs.keys()]).toEqual([
      'image',
      'digest',
      'imageid',
      'tags',
      'image-tag-digest',
      'metadata',
      'refreshed',
      'platforms',
    ]);
    for (const [, spec] of yml.outputs) expect(spec.description.length).toBeGreaterThan(10);
  });
});

describe("the runner's INPUT_<NAME> variables", () => {
  test.each([
    ['image', 'INPUT_IMAGE'],
    ['build_file', 'INPUT_BUILD_FILE'],
    ['cache-from', 'INPUT_CACHE-FROM'],
    ['my input', 'INPUT_MY_INPUT'],
    ['Extra_Args', 'INPUT_EXTRA_ARGS'],
  ])('%s → %s', (name, env) => {
    expect(inputEnvName(name)).toBe(env);
  });

  test('envInputReader trims like core.getInput and gives "" for unset inputs', () => {
    const get = envInputReader({ INPUT_IMAGE: '  app \n', INPUT_TAG: undefined });
    expect(get('image')).toBe('app');
    expect(get('tag')).toBe('');
  });

  test('readInputs asks for declared inputs only, and for every one of them', () => {
    const asked = new Set<string>();
    const github = githubCtx();
    const env = runnerEnv({ image: 'app' }, github);
    readInputs((name) => {
      asked.add(name);
      return envInputReader(env)(name);
    }, github);
    expect([...asked].sort()).toEqual([...INPUT_NAMES].sort());
  });

  test('the password never appears in an error', () => {
    const github = githubCtx({ GITHUB_ACTOR: '' });
    const env = runnerEnv({ image: 'app', username: '', password: 'p4ssw0rd-secret', push: 'x' }, github);
    let err: unknown;
    try {
      readInputs(envInputReader(env), github);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/input "push"/);
    expect((err as Error).message).not.toContain('p4ssw0rd');
  });
});
