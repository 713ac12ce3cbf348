/**
 * toBuildOptions(): validated inputs + GitHub context → the BuildOptions the
 * core builds from, plus what only the action acts on (credentials, cache
 * backend, docker load, OCI archive, warnings). Pure: no environment, no I/O.
 */
import path from 'node:path';
import { type BuildOptions, defaultBuildOptions } from '../executor/options.js';
import { DEFAULT_STORE_MAX } from '../executor/store/location.js';
import { parseReference } from '../image/reference.js';
import type { CacheMountsPlan } from './cache-mounts-gha.js';
import { ghaKeys, planCache } from './cache-plan.js';
import { applyExtraArgs, extraVerbosity } from './extra-args.js';
import type { GhaCachePlan } from './gha-cache.js';
import type { GithubContext } from './github-context.js';
import {
  isGithubRegistry,
  type RegistryTarget,
  type RepositoryName,
  resolveRepository,
} from './image-name.js';
import { Problems } from './input-error.js';
import type { ActionInputs, CacheBackend } from './inputs.js';
import { createdTime, defaultLabels, mergeLabels, OCI } from './labels.js';
import { type OutputPlan, planOutputs } from './output-plan.js';
import { computeReferences } from './tags.js';

export interface RegistryCredentials {
  /** Registry host the credentials are for (docker.io for Docker Hub). */
  host: string;
  username: string;
  password: string;
}

export interface ActionPlan {
  /** Full references, in order; the first is the `image` output. Same as options.destinations. */
  references: string[];
  /** registry/repository that `image` resolved to, if `image` was given. */
  imageName?: string;
  tagWithLatest: boolean;
  debug: boolean;
  cacheBackend: CacheBackend | 'off';
  /** Set when cacheBackend is gha: main.ts restores/saves dir with @actions/cache. */
  ghaCache?: GhaCachePlan;
  /** Set with cache_mounts: main.ts restores/saves the cache mounts archive with @actions/cache. */
  cacheMounts?: CacheMountsPlan;
  /** docker load and OCI archive to do after the build. */
  outputs: Pick<OutputPlan, 'load' | 'ociArchive'>;
  registry: RegistryTarget;
  /** Undefined: anonymous (no password, or a GitHub token withheld from a foreign registry). */
  credentials?: RegistryCredentials;
  warnings: string[];
}

const GITHUB_TOKEN = /^(?:gh[pousr]_[A-Za-z0-9_]+|github_pat_[A-Za-z0-9_]+|v1\.[0-9a-f]{40})$/;

/** GitHub token formats (the workflow token is ghs_…). */
export function looksLikeGithubToken(password: string): boolean {
  return GITHUB_TOKEN.test(password.trim());
}

export function toBuildOptions(
  inputs: ActionInputs,
  github: GithubContext,
  runnerTemp: string,
  now: Date = new Date(),
): { options: BuildOptions; action: ActionPlan } {
  const problems = new Problems();
  const warnings = [...inputs.warnings];

  let image: RepositoryName | undefined;
  if (inputs.image) {
    image = problems.guard('image', undefined, () =>
      resolveRepository(inputs.image, inputs.registry, github),
    );
    if (image?.lowercased) {
      warnings.push(
        `image "${inputs.image}" lowercased to ${image.name}: registries accept lowercase names only`,
      );
    }
  }
  const references = computeReferences(image, inputs, github, problems);

  let o = defaultBuildOptions(inputs.context, inputs.dockerfile);
  o.destinations = [...references];
  o.push = inputs.push;
  o.buildArgs = new Map(inputs.buildArgs);
  if (inputs.target) o.target = inputs.target;
  o.isolation = inputs.isolation;
  o.platforms = [...inputs.platforms];
  o.pushByDigest = inputs.pushByDigest;
  // aevea/action-kaniko always ran kaniko with --reproducible; `extra_args: --reproducible=false` undoes it.
  const extraReproducible = inputs.extraArgs.values.get('reproducible');
  o.reproducible = typeof extraReproducible === 'boolean' ? extraReproducible : true;
  o.labels = mergeLabels(defaultLabels(github, createdTime(github, now, o.reproducible)), inputs.labels);

  const outputs = planOutputs(inputs, github.workspace, runnerTemp, github.runId || 'local', problems);
  if (outputs.tarPath) o.tarPath = outputs.tarPath;
  if (outputs.ociLayoutPath) o.ociLayoutPath = outputs.ociLayoutPath;

  const extraCache = inputs.extraArgs.values.get('cache');
  const cache = planCache({
    inputs,
    github,
    runnerTemp,
    image,
    references,
    extraCache: typeof extraCache === 'boolean' ? extraCache : undefined,
    problems,
    warnings,
  });
  o.cache = { ...o.cache, ...cache.cache };
  // skip_unchanged_digest compares images apart from what changes on every commit.
  if (inputs.skipUnchangedDigest) o.skipUnchanged = { ignoreLabels: [OCI.revision, OCI.created] };

  // RUN --mount: secrets, agents; cache mounts kept with cache_directory, carried by the Actions cache with cache_mounts.
  o.secrets = [...inputs.secrets];
  o.ssh = [...inputs.ssh];
  o.allow = [...inputs.allow];
  o.network = inputs.network;
  if (inputs.cacheDirectory) o.cacheMounts.dir = path.join(inputs.cacheDirectory, 'cache-mounts');
  let cacheMounts: CacheMountsPlan | undefined;
  if (inputs.cacheMounts) {
    const archive = path.join(runnerTemp, 'kiln-cache-mounts.tgz');
    o.cacheMounts.dir ??= path.join(runnerTemp, 'kiln-cache-mounts');
    o.cacheMounts.archive = archive;
    cacheMounts = { archive, ...ghaKeys(inputs, github, 'cache-mounts') };
  }

  // The snapshot store in the runner's tool cache, which self-hosted runners keep between jobs
  // (`extra_args: --no-store` or `--store DIR` change it); without one, nothing would keep it.
  if (github.runnerToolCache) {
    o.store = { dir: path.join(github.runnerToolCache, 'kiln', 'store'), maxBytes: DEFAULT_STORE_MAX };
  }

  // extra_args last: kaniko flags override or add to what the inputs set.
  const before = new Set(o.destinations);
  o = problems.guard('extra_args', o, () => applyExtraArgs(o, inputs.extraArgs, github.workspace));
  for (const d of o.destinations) {
    if (!before.has(d)) problems.guard('extra_args', undefined, () => parseReference(d));
  }
  const verbosity = extraVerbosity(inputs.extraArgs);
  const debug = inputs.debug || verbosity === 'debug' || verbosity === 'trace';

  if (o.push && o.destinations.length === 0 && references.length > 0) {
    problems.add('extra_args', 'leaves no destination to push to');
  }
  problems.throwIfAny();
  if (inputs.skipUnchangedDigest && !o.push) {
    warnings.push('skip_unchanged_digest has no effect when push is false');
  }

  // Credentials go to the `registry` host only; the workflow token never leaves GitHub.
  let credentials: RegistryCredentials | undefined;
  const host = inputs.registry.host;
  if (inputs.password) {
    if (looksLikeGithubToken(inputs.password) && !isGithubRegistry(host, github)) {
      warnings.push(
        `password is a GitHub token and ${host} is not a GitHub registry: it is not sent there; set username and password for ${host}`,
      );
    } else credentials = { host, username: inputs.username, password: inputs.password };
  }
  if (credentials) {
    const elsewhere = [...new Set(o.destinations.map((d) => parseReference(d).registry))].filter(
      (r) => r !== host,
    );
    if (elsewhere.length > 0) {
      warnings.push(
        `credentials are for ${host} only; pushes to ${elsewhere.join(', ')} go without them (set registry to that host)`,
      );
    }
  }

  return {
    options: o,
    action: {
      references: [...o.destinations],
      imageName: image?.name,
      tagWithLatest: inputs.tagWithLatest,
      debug,
      cacheBackend: o.cache.enabled ? cache.backend : 'off',
      ...(cache.ghaCache ? { ghaCache: cache.ghaCache } : {}),
      outputs: {
        ...(outputs.load ? { load: outputs.load } : {}),
        ...(outputs.ociArchive ? { ociArchive: outputs.ociArchive } : {}),
      },
      ...(cacheMounts ? { cacheMounts } : {}),
      registry: inputs.registry,
      credentials,
      warnings,
    },
  };
}
