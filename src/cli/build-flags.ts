/**
 * `kiln build`'s argv → BuildOptions: the executor flags applied onto the
 * defaults, plus what only the CLI does (a destination is required unless
 * --no-push, SOURCE_DATE_EPOCH from the environment, kaniko's default cache
 * repository, a snapshot store in the user's cache dir).
 */
import path from 'node:path';
import { defaultCacheRepo } from '../cache/create.js';
import { type BuildOptions, DEFAULT_DOCKERFILE, defaultBuildOptions } from '../executor/options.js';
import { DEFAULT_STORE_MAX, defaultStoreDir } from '../executor/store/location.js';
import { applyBuildFlags, contextDir, sourceDateEpoch, storeMax } from '../flags/apply-flags.js';
import { type FlagValue, UsageError } from '../flags/parser.js';

export function buildOptionsFromFlags(
  values: Map<string, FlagValue>,
  env: NodeJS.ProcessEnv,
  cwd: string,
): BuildOptions {
  const context = contextDir(cwd, (values.get('context') as string | undefined) ?? '.');
  const o = applyBuildFlags(
    defaultBuildOptions(context, path.join(context, DEFAULT_DOCKERFILE)),
    values,
    env,
    cwd,
  );
  if (o.push && o.destinations.length === 0 && !values.get('check')) {
    throw new UsageError('no --destination given: pass --destination <ref> to push, or --no-push');
  }
  // ADD of GitHub repositories: BuildKit's GIT_AUTH_TOKEN (sent to GitHub's hosts only).
  if (env.GIT_AUTH_TOKEN) o.gitAuthToken = env.GIT_AUTH_TOKEN;
  o.sourceDateEpoch = sourceDateEpoch(env.SOURCE_DATE_EPOCH ?? o.buildArgs.get('SOURCE_DATE_EPOCH'));
  // kaniko's default: --cache without --cache-repo caches in <destination>/cache.
  if (o.cache.enabled && !o.cache.repo) o.cache.repo = defaultCacheRepo(o.destinations);
  // The CLI keeps a snapshot store unless told not to: below --cache-dir, else in the user's cache dir.
  if (!o.store && !values.get('no-store')) {
    o.store = { dir: defaultStoreDir(env, o.cache.dir), maxBytes: storeMax(values) ?? DEFAULT_STORE_MAX };
  }
  return o;
}
