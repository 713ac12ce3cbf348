/**
 * Test helpers: a GitHub context from runner-style variables, and inputs
 * read the way the runner provides them (INPUT_<NAME> variables, with
 * action.yml's defaults filled in for inputs the workflow did not set).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toBuildOptions } from '../../src/action/build-options.js';
import { type GithubContext, githubContextFromEnv } from '../../src/action/github-context.js';
import { envInputReader, inputEnvName, readInputs } from '../../src/action/inputs.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const HEAD_SHA = 'fedcba9876543210fedcba9876543210fedcba98';
export const TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
export const RUNNER_TEMP = '/home/runner/work/_temp';
export const NOW = new Date('2025-03-04T05:06:07.890Z');

export interface ActionYml {
  inputs: Map<string, { description: string; default?: string; required: boolean }>;
  outputs: Map<string, { description: string }>;
  text: string;
}

/** A small reader for action.yml's two-level maps (block scalars `>-` folded). */
export function readActionYml(): ActionYml {
  const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  const inputs: ActionYml['inputs'] = new Map();
  const outputs: ActionYml['outputs'] = new Map();
  let section: 'inputs' | 'outputs' | undefined;
  let current: { description: string; default?: string; required: boolean } | undefined;
  let folding: 'description' | undefined;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      section = line.startsWith('inputs:') ? 'inputs' : line.startsWith('outputs:') ? 'outputs' : undefined;
      current = undefined;
      continue;
    }
    const key = /^ {2}([\w-]+):\s*$/.exec(line);
    if (section && key) {
      current = { description: '', required: false };
      (section === 'inputs' ? inputs : outputs).set(key[1]!, current);
      folding = undefined;
      continue;
    }
    const field = /^ {4}(\w+):\s*(.*)$/.exec(line);
    if (current && field) {
      const [, name, raw] = field;
      folding = undefined;
      const value = raw!.replace(/^'(.*)'$/, '$1');
      if (name === 'description') {
        if (value === '>-' || value === '|') folding = 'description';
        else current.description = value;
      } else if (name === 'default') current.default = value;
      else if (name === 'required') current.required = value === 'true';
      continue;
    }
    if (current && folding && /^ {6}/.test(line)) {
      current.description = `${current.description} ${line.trim()}`.trim();
    }
  }
  return { inputs, outputs, text };
}

/** A context as the runner's environment describes it. */
export function githubCtx(env: Record<string, string | undefined> = {}, event?: unknown): GithubContext {
  return githubContextFromEnv(
    {
      GITHUB_SHA: SHA,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_REPOSITORY: 'aevea/action-kaniko',
      GITHUB_REPOSITORY_OWNER: 'aevea',
      GITHUB_ACTOR: 'octocat',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_WORKSPACE: '/home/runner/work/action-kaniko/action-kaniko',
      GITHUB_RUN_ID: '42',
      ...(event ? { GITHUB_EVENT_PATH: '/event.json' } : {}),
      ...env,
    },
    { readFile: () => JSON.stringify(event ?? {}), cwd: '/cwd' },
  );
}

/** The runner's environment for a `with:` block: INPUT_<NAME>, action.yml defaults evaluated. */
export function runnerEnv(given: Record<string, string>, github: GithubContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, spec] of readActionYml().inputs) {
    let value = given[name] ?? spec.default ?? '';
    if (!(name in given)) {
      value = value
        .replace(/\$\{\{ github\.actor \}\}/, github.actor)
        .replace(/\$\{\{ github\.token \}\}/, TOKEN);
    }
    env[inputEnvName(name)] = value;
  }
  for (const name of Object.keys(given)) {
    if (!readActionYml().inputs.has(name)) throw new Error(`test uses input "${name}" that action.yml lacks`);
  }
  return env;
}

/** readInputs + toBuildOptions for a `with:` block. */
export function plan(given: Record<string, string>, github: GithubContext = githubCtx()) {
  const inputs = readInputs(envInputReader(runnerEnv(given, github)), github);
  return { inputs, ...toBuildOptions(inputs, github, RUNNER_TEMP, NOW) };
}
