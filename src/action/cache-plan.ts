/**
 * Where the layer cache lives, from either aevea's inputs (`cache`,
 * `cache_registry`, `cache_directory`, `cache_backend`, `cache_ttl`) or
 * build-push-action's (`cache-from`, `cache-to`, `no-cache`). Kiln's cache
 * reads and writes one place (a registry repository, a directory, or the
 * GitHub Actions cache, optionally a directory in front of a repository), so
 * cache-from and cache-to must name the same one; cache-from alone reads
 * it only, `no-cache` makes it write-only.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { CacheMode } from '../cache/cache-mode.js';
import { defaultCacheRepo } from '../cache/create.js';
import type { CacheOptions } from '../executor/options.js';
import { parseReference } from '../image/reference.js';
import type { CacheSpec } from './buildx-specs.js';
import type { GhaCachePlan } from './gha-cache.js';
import { buildSha, type GithubContext } from './github-context.js';
import { type RepositoryName, resolveRepository } from './image-name.js';
import type { Problems } from './input-error.js';
import type { ActionInputs, CacheBackend } from './inputs.js';

export interface CachePlan {
  /** options.cache fields (enabled, repo, dir, mode; ttlMs when cache_ttl is set). */
  cache: Pick<CacheOptions, 'enabled' | 'repo' | 'dir' | 'mode'> & { ttlMs?: number };
  backend: CacheBackend | 'off';
  ghaCache?: GhaCachePlan;
}

export interface CachePlanContext {
  inputs: ActionInputs;
  github: GithubContext;
  runnerTemp: string;
  /** What `image` resolved to, and the references (for the default `<image>/cache`). */
  image: RepositoryName | undefined;
  references: readonly string[];
  /** `extra_args: --cache[=bool]`, which counts as much as the cache input. */
  extraCache: boolean | undefined;
  problems: Problems;
  warnings: string[];
}

/** Actions cache keys of this Dockerfile, target and scope: `kiln-<id>-<commit>`, restored by prefix. */
export function ghaKeys(
  inputs: ActionInputs,
  github: GithubContext,
  scope = '',
): { key: string; restoreKeys: string[] } {
  const id = createHash('sha256')
    .update(`${path.relative(github.workspace, inputs.dockerfile)}\0${inputs.target}\0${scope}`)
    .digest('hex')
    .slice(0, 12);
  const prefix = `kiln-${id}-`;
  return { key: `${prefix}${buildSha(github) || github.runId}`, restoreKeys: [prefix] };
}

function ghaCacheKeys(inputs: ActionInputs, github: GithubContext, dir: string, scope = ''): GhaCachePlan {
  return { dir, ...ghaKeys(inputs, github, scope) };
}

export function planCache(c: CachePlanContext): CachePlan {
  const { inputs } = c;
  const ttlMs = inputs.cacheTtlMs;
  const buildx = inputs.cacheFrom.length > 0 || inputs.cacheTo.length > 0;
  const plan = buildx ? fromBuildxSpecs(c) : fromAeveaInputs(c);
  if (ttlMs !== undefined) plan.cache.ttlMs = ttlMs;
  // no-cache: build every step; a cache still gets what the build makes.
  if (inputs.noCache && plan.cache.enabled) {
    if (plan.cache.mode === 'read-only') {
      c.warnings.push('no-cache with only cache-from: the cache is neither read nor written');
      return { cache: { enabled: false }, backend: 'off' };
    }
    plan.cache.mode = 'write-only';
  }
  return plan;
}

function fromAeveaInputs(c: CachePlanContext): CachePlan {
  const { inputs, github, problems } = c;
  const backend: CacheBackend = inputs.cacheBackend ?? (inputs.cacheDirectory ? 'local' : 'registry');
  const on = c.extraCache ?? inputs.cache;
  if (!on) return { cache: { enabled: false }, backend: 'off' };
  const cache: CachePlan['cache'] = { enabled: true };
  let ghaCache: GhaCachePlan | undefined;
  if (backend === 'registry') {
    if (inputs.cacheRegistry) {
      const repo = problems.guard('cache_registry', undefined, () =>
        resolveRepository(inputs.cacheRegistry, inputs.registry, github),
      );
      if (repo?.tag !== undefined) {
        problems.add('cache_registry', `"${inputs.cacheRegistry}" holds a tag; name a repository only`);
      }
      cache.repo = repo?.name;
    } else {
      // kaniko's default: <image>/cache.
      cache.repo = defaultCacheRepo(c.image ? [c.image.name] : c.references);
      if (cache.repo?.startsWith('docker.io/')) {
        c.warnings.push(
          `Docker Hub allows no nested repositories, so the cache at ${cache.repo} will fail; set cache_registry (e.g. ${cache.repo.split('/')[1]}/cache)`,
        );
      }
    }
    if (inputs.cacheDirectory) cache.dir = inputs.cacheDirectory;
  } else if (backend === 'local') {
    cache.dir = inputs.cacheDirectory || path.join(c.runnerTemp, 'kiln-cache');
  } else {
    cache.dir = inputs.cacheDirectory || path.join(c.runnerTemp, 'kiln-gha-cache');
    ghaCache = ghaCacheKeys(inputs, github, cache.dir);
  }
  return { cache, backend, ...(ghaCache ? { ghaCache } : {}) };
}

/** The place a spec names, to compare cache-from with cache-to. */
function placeOf(spec: CacheSpec, workspace: string): string {
  switch (spec.type) {
    case 'registry':
      return `registry ${spec.ref}`;
    case 'local':
      return `directory ${path.resolve(workspace, spec.dir)}`;
    case 'gha':
      return `gha ${spec.scope ?? ''}`;
  }
}

function fromBuildxSpecs(c: CachePlanContext): CachePlan {
  const { inputs, github, problems } = c;
  if (inputs.cache || inputs.cacheRegistry || inputs.cacheDirectory || inputs.cacheBackend) {
    problems.add(
      inputs.cacheFrom.length > 0 ? 'cache-from' : 'cache-to',
      'set either cache-from/cache-to or cache/cache_registry/cache_directory/cache_backend, not both',
    );
  }
  const places = (specs: CacheSpec[]) => [...new Set(specs.map((s) => placeOf(s, github.workspace)))].sort();
  const from = places(inputs.cacheFrom);
  const to = places(inputs.cacheTo);
  if (from.length > 0 && to.length > 0 && from.join('\n') !== to.join('\n')) {
    problems.add(
      'cache-to',
      `names ${to.join(', ')} but cache-from names ${from.join(', ')}: Kiln's cache reads and writes one place, so name the same one in both`,
    );
  }
  const mode: CacheMode = to.length === 0 ? 'read-only' : from.length === 0 ? 'write-only' : 'read-write';
  const specs = [...inputs.cacheTo, ...inputs.cacheFrom];
  const input = inputs.cacheTo.length > 0 ? 'cache-to' : 'cache-from';
  const cache: CachePlan['cache'] = { enabled: true, mode };
  const registry = specs.filter((s) => s.type === 'registry');
  const local = specs.filter((s) => s.type === 'local');
  const gha = specs.filter((s) => s.type === 'gha');
  if (gha.length > 0 && local.length > 0) {
    problems.add(input, 'type=gha and type=local both name a directory cache; keep one of them');
  }
  if (registry[0]) {
    const ref = problems.guard(input, undefined, () =>
      parseReference(registry[0]!.ref, { defaultTag: false }),
    );
    if (ref?.tag || ref?.digest) {
      problems.add(
        input,
        `ref=${registry[0].ref} names a tag: Kiln stores each cached step as a tag of its own, so name a repository only (e.g. ref=${ref.name}-cache)`,
      );
    } else if (ref) cache.repo = ref.name;
  }
  let ghaCache: GhaCachePlan | undefined;
  if (local[0]) cache.dir = path.resolve(github.workspace, local[0].dir);
  if (gha[0]) {
    cache.dir = path.join(c.runnerTemp, 'kiln-gha-cache');
    ghaCache = { ...ghaCacheKeys(inputs, github, cache.dir, gha[0].scope), readOnly: mode === 'read-only' };
  }
  const backend: CacheBackend = gha[0] ? 'gha' : registry[0] ? 'registry' : 'local';
  return { cache, backend, ...(ghaCache ? { ghaCache } : {}) };
}
