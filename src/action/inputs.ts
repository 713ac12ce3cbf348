/**
 * The only reader of the action's inputs. readInputs() reads every input
 * through the getInput it is given (core.getInput in main.ts, an object in
 * tests), validates all of them at once and returns a typed object; every
 * problem names its input. Keys follow action.yml (snake_case → camelCase).
 */
import path from 'node:path';
import type {
  Entitlement,
  IsolationRequest,
  NetworkMode,
  SecretSource,
  SshSource,
} from '../executor/options.js';
import { parseDuration } from '../flags/parser.js';
import { parseGitContext } from '../git/context.js';
import { parsePlatform } from '../image/platform.js';
import { type CacheSpec, type OutputSpec, parseCacheSpec, parseOutputSpec } from './buildx-specs.js';
import { type ExtraArgs, parseExtraArgs } from './extra-args.js';
import { checkForeignInputs, FOREIGN_INPUT_NAMES } from './foreign-inputs.js';
import type { Env, GithubContext } from './github-context.js';
import { parseRegistryInput, type RegistryTarget } from './image-name.js';
import { Problems } from './input-error.js';
import {
  type KeyValueProblem,
  parseKeyValueItems,
  splitLabelList,
  splitLines,
  splitTagList,
} from './list-input.js';
import { allowInput, secretInputs, sshInput } from './secret-inputs.js';

/** Every input of action.yml (a test keeps the two in step). */
export const INPUT_NAMES = [
  // aevea/action-kaniko's, and Kiln's.
  'image',
  'tag',
  'tags',
  'registry',
  'username',
  'password',
  'path',
  'context',
  'build_file',
  'file',
  'build_args',
  'labels',
  'push',
  'cache',
  'cache_ttl',
  'cache_registry',
  'cache_directory',
  'cache_backend',
  'target',
  'tag_with_latest',
  'strip_tag_prefix',
  'skip_unchanged_digest',
  'sha_length',
  'isolation',
  'push_by_digest',
  'merge_digests',
  'setup_qemu',
  'extra_args',
  'debug',
  'github-token',
  'secrets',
  'secret-files',
  'secret-envs',
  'ssh',
  'cache_mounts',
  'allow',
  'network',
  // docker/build-push-action's that Kiln implements.
  'build-args',
  'no-cache',
  'cache-from',
  'cache-to',
  'load',
  'outputs',
  'platforms',
  // docker/build-push-action's that it does not (foreign-inputs.ts).
  ...FOREIGN_INPUT_NAMES,
] as const;
export type InputName = (typeof INPUT_NAMES)[number];

/** Reads one input by its action.yml name; '' when not set. */
export type GetInput = (name: InputName) => string;

/** The variable the runner sets for an input: INPUT_ + name, spaces → _, uppercased, dashes kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** A GetInput over an environment, as @actions/core's getInput reads it (trimmed). */
export function envInputReader(env: Readonly<Record<string, string | undefined>>): GetInput {
  return (name) => (env[inputEnvName(name)] ?? '').trim();
}

export const CACHE_BACKENDS = ['registry', 'gha', 'local'] as const;
export type CacheBackend = (typeof CACHE_BACKENDS)[number];
const ISOLATIONS: readonly IsolationRequest[] = ['auto', 'chroot', 'rootless', 'none'];
const NETWORK_MODES: readonly NetworkMode[] = ['default', 'none', 'host'];

export const DEFAULTS = {
  registry: 'ghcr.io',
  path: '.',
  buildFile: 'Dockerfile',
  shaLength: 7,
} as const;

export interface ActionInputs {
  /** `image` as written ('' when not set: then `tags` must hold full references). */
  image: string;
  tag: string;
  tags: string[];
  registry: RegistryTarget;
  /** Default: the workflow actor. */
  username: string;
  /** '' for anonymous access. Never printed. */
  password: string;
  /** Absolute build context (`path`, or its alias `context`). */
  context: string;
  /**
   * A git repository as the context (`context: https://github.com/o/r.git#ref:subdir`),
   * fetched before the build; `dockerfile` is then relative to the checkout.
   */
  gitContext?: { url: string; dockerfile: string };
  /** `github-token`: for git sources on GitHub's hosts (git contexts, ADD); never printed. */
  githubToken: string;
  /** Absolute Dockerfile (`build_file` relative to the context, or `file` relative to the workspace). */
  dockerfile: string;
  /** `build_args` or build-push-action's `build-args`. */
  buildArgs: Map<string, string>;
  /** User labels; an empty value removes a default label. */
  labels: Map<string, string>;
  /** `push`; when not set: true, unless `outputs` or `load` is set without a registry output. */
  push: boolean;
  /** build-push-action's `no-cache`: look nothing up (a cache named by cache-to is still filled). */
  noCache: boolean;
  cacheFrom: CacheSpec[];
  cacheTo: CacheSpec[];
  /** build-push-action's `load`: `docker load` the image on the runner. */
  load: boolean;
  /** build-push-action's `outputs`. */
  outputs: OutputSpec[];
  cache: boolean;
  cacheTtlMs?: number;
  cacheRegistry: string;
  /** Absolute, or '' when not set. */
  cacheDirectory: string;
  /** Undefined: registry, or local when cache_directory is set. */
  cacheBackend?: CacheBackend;
  target: string;
  tagWithLatest: boolean;
  stripTagPrefix: string;
  skipUnchangedDigest: boolean;
  shaLength: number;
  isolation: IsolationRequest;
  /** Target platforms (`linux/amd64`), in order; empty: the runner's. */
  platforms: string[];
  /** Push the image (or index) by digest only, untagged. */
  pushByDigest: boolean;
  /** Merge mode: these images or indexes (`sha256:…` in `image`'s repository, or references) become one index; no build. */
  mergeDigests: string[];
  /** Register QEMU's emulators through sudo when a platform needs one. */
  setupQemu: boolean;
  extraArgs: ExtraArgs;
  debug: boolean;
  /** `secrets`, `secret-files`, `secret-envs` (values and files read later, by the build). */
  secrets: SecretSource[];
  ssh: SshSource[];
  cacheMounts: boolean;
  /** `allow`: entitlements (security.insecure, network.host). */
  allow: Entitlement[];
  /** `network`: the network of RUN steps without --network. */
  network: NetworkMode;
  /** Things to tell the user that do not stop the build. */
  warnings: string[];
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

function parseBool(problems: Problems, name: InputName, text: string, fallback: boolean): boolean {
  if (text === '') return fallback;
  const t = text.toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  problems.add(name, `"${text}" is not a boolean; write true or false`);
  return fallback;
}

function oneOf<T extends string>(
  problems: Problems,
  name: InputName,
  text: string,
  allowed: readonly T[],
): T | undefined {
  if (text === '') return undefined;
  const t = text.toLowerCase();
  if ((allowed as readonly string[]).includes(t)) return t as T;
  problems.add(name, `"${text}" is not one of ${allowed.join(', ')}`);
  return undefined;
}

function keyValues(problems: Problems, name: InputName, items: string[]): Map<string, string> {
  const found: KeyValueProblem[] = [];
  const map = parseKeyValueItems(items, found);
  for (const p of found) problems.add(name, `"${p.item}": ${p.reason}`);
  return map;
}

/** `platforms`: comma- or newline-separated, each parsed (build-push-action's input). */
function platformList(problems: Problems, text: string): string[] {
  const out: string[] = [];
  for (const item of splitTagList(text)) {
    try {
      parsePlatform(item);
      if (!out.includes(item)) out.push(item);
    } catch (e) {
      problems.add('platforms', (e as Error).message);
    }
  }
  return out;
}

/** Splits a list input and parses each entry; a bad entry is a problem of the input. */
function specs<T>(problems: Problems, name: InputName, text: string, parse: (entry: string) => T): T[] {
  return splitLines(text).flatMap((entry) => {
    const spec = problems.guard<T | undefined>(name, undefined, () => parse(entry));
    return spec === undefined ? [] : [spec];
  });
}

/**
 * Reads and validates every input; throws InputError listing every problem.
 * `env` is the step's environment, for `$VAR` in extra_args.
 */
export function readInputs(getInput: GetInput, github: GithubContext, env: Env = {}): ActionInputs {
  const problems = new Problems();
  const warnings: string[] = [];
  const get = (name: InputName) => getInput(name).trim();
  const workspace = github.workspace;

  const registry = problems.guard('registry', { host: DEFAULTS.registry, path: '' }, () =>
    parseRegistryInput(get('registry') || DEFAULTS.registry),
  );

  // `path` (aevea) and `context` (build-push-action) name the same thing.
  const pathInput = get('path');
  const contextInput = get('context');
  if (contextInput && pathInput && pathInput !== DEFAULTS.path && pathInput !== contextInput) {
    problems.add('context', `"${contextInput}" conflicts with path "${pathInput}"; set only one of them`);
  }
  const contextValue = contextInput || pathInput || DEFAULTS.path;
  const gitRef = problems.guard('context', undefined, () =>
    parseGitContext(contextValue, { kanikoGit: false, env: {} }),
  );
  const context = gitRef ? workspace : path.resolve(workspace, contextValue);

  // `build_file` is relative to the context (aevea); `file` to the workspace (build-push-action).
  const buildFile = get('build_file');
  const file = get('file');
  const fromFile = file ? path.resolve(workspace, file) : undefined;
  const fromBuildFile = path.resolve(context, buildFile || DEFAULTS.buildFile);
  if (fromFile && buildFile && buildFile !== DEFAULTS.buildFile && fromFile !== fromBuildFile) {
    problems.add('file', `"${file}" conflicts with build_file "${buildFile}"; set only one of them`);
  }
  const dockerfile = fromFile ?? fromBuildFile;
  // In a git context the Dockerfile is a path in the repository (build-push-action's file).
  const gitContext = gitRef
    ? { url: contextValue, dockerfile: file || buildFile || DEFAULTS.buildFile }
    : undefined;

  const shaText = get('sha_length');
  let shaLength: number = DEFAULTS.shaLength;
  if (shaText) {
    if (!/^\d+$/.test(shaText) || Number(shaText) < 4 || Number(shaText) > 64) {
      problems.add('sha_length', `"${shaText}" is not a whole number from 4 to 64`);
    } else shaLength = Number(shaText);
  }

  const ttlText = get('cache_ttl');
  const cacheTtlMs = ttlText
    ? problems.guard('cache_ttl', undefined, () => parseDuration(ttlText))
    : undefined;

  const extraText = getInput('extra_args');
  const extraArgs = problems.guard<ExtraArgs>(
    'extra_args',
    { words: [], values: new Map(), warnings: [] },
    () => parseExtraArgs(extraText, env),
  );
  warnings.push(...extraArgs.warnings);

  // build_args (aevea style) and build-args (build-push-action) name the same thing.
  let buildArgsInput: InputName = 'build_args';
  if (get('build-args')) {
    if (get('build_args')) problems.add('build-args', 'conflicts with build_args; set only one of them');
    else buildArgsInput = 'build-args';
  }
  const outputs = specs(problems, 'outputs', getInput('outputs'), parseOutputSpec);
  const load = parseBool(problems, 'load', get('load'), false);
  // build-push-action pushes only when asked; aevea always did: push defaults to true unless outputs/load say where the image goes.
  const pushDefault = outputs.length > 0 || load ? outputs.some((o) => o.type === 'registry') : true;
  checkForeignInputs((name) => get(name), problems);

  const cacheDirectory = get('cache_directory');
  const inputs: ActionInputs = {
    image: get('image'),
    tag: get('tag'),
    tags: splitTagList(getInput('tags')),
    registry,
    username: get('username') || github.actor,
    password: getInput('password'),
    context,
    ...(gitContext ? { gitContext } : {}),
    githubToken: getInput('github-token'),
    dockerfile,
    buildArgs: keyValues(problems, buildArgsInput, splitLines(getInput(buildArgsInput))),
    labels: keyValues(problems, 'labels', splitLabelList(getInput('labels'))),
    push: parseBool(problems, 'push', get('push'), pushDefault),
    noCache: parseBool(problems, 'no-cache', get('no-cache'), false),
    cacheFrom: specs(problems, 'cache-from', getInput('cache-from'), (e) => parseCacheSpec(e, 'from')),
    cacheTo: specs(problems, 'cache-to', getInput('cache-to'), (e) => parseCacheSpec(e, 'to')),
    load,
    outputs,
    cache: parseBool(problems, 'cache', get('cache'), false),
    cacheTtlMs,
    cacheRegistry: get('cache_registry'),
    cacheDirectory: cacheDirectory ? path.resolve(workspace, cacheDirectory) : '',
    cacheBackend: oneOf(problems, 'cache_backend', get('cache_backend'), CACHE_BACKENDS),
    target: get('target'),
    tagWithLatest: parseBool(problems, 'tag_with_latest', get('tag_with_latest'), false),
    stripTagPrefix: get('strip_tag_prefix'),
    skipUnchangedDigest: parseBool(problems, 'skip_unchanged_digest', get('skip_unchanged_digest'), false),
    shaLength,
    isolation: oneOf(problems, 'isolation', get('isolation'), ISOLATIONS) ?? 'auto',
    platforms: platformList(problems, getInput('platforms')),
    pushByDigest: parseBool(problems, 'push_by_digest', get('push_by_digest'), false),
    mergeDigests: splitTagList(getInput('merge_digests')),
    setupQemu: parseBool(problems, 'setup_qemu', get('setup_qemu'), false),
    extraArgs,
    debug: parseBool(problems, 'debug', get('debug'), false),
    secrets: secretInputs(
      { secrets: getInput('secrets'), files: getInput('secret-files'), envs: getInput('secret-envs') },
      workspace,
      problems,
    ),
    ssh: sshInput(getInput('ssh'), workspace, problems),
    cacheMounts: parseBool(problems, 'cache_mounts', get('cache_mounts'), false),
    allow: allowInput(getInput('allow'), problems),
    network: oneOf(problems, 'network', get('network'), NETWORK_MODES) ?? 'default',
    warnings,
  };

  if (inputs.password && !inputs.username) {
    problems.add(
      'username',
      'is empty while a password is set (GITHUB_ACTOR is not set either); set username',
    );
  }
  if (inputs.target && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(inputs.target)) {
    problems.add('target', `"${inputs.target}" is not a stage name (letters, digits, _, . and -)`);
  }
  if (inputs.mergeDigests.length > 0) {
    if (!inputs.push) problems.add('merge_digests', 'pushes an index: it cannot go with push: false');
    for (const name of ['platforms', 'push_by_digest'] as const) {
      if (get(name) !== '' && get(name) !== 'false') {
        problems.add(name, 'has no effect with merge_digests (nothing is built); remove it');
      }
    }
  }
  if (inputs.pushByDigest && !inputs.push) {
    problems.add('push_by_digest', 'pushes by digest: it cannot go with push: false');
  }
  const cacheOn = inputs.cache || extraArgs.values.get('cache') === true;
  if (!cacheOn && (inputs.cacheRegistry || inputs.cacheTtlMs !== undefined || inputs.cacheBackend)) {
    warnings.push('cache_registry, cache_ttl and cache_backend have no effect unless cache is true');
  }
  problems.throwIfAny();
  return inputs;
}
