/**
 * A git repository as the build context (`kiln build --context …`, the
 * action's `context`): fetched into a fresh directory next to the workspace,
 * built from (the subdir applied), removed after. BuildKit's forms
 * (`https://host/o/r.git#ref:subdir`, `git@host:o/r.git`, `ssh://…`) as
 * in buildx; on the CLI `git://host/o/r[#ref[#commit]]`
 * is kaniko's form: fetched over https (`GIT_PULL_METHOD=http` for http),
 * as kaniko does.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { GitFetcher } from './fetch.js';
import type { GitAuth } from './git-command.js';
import { formatGitRef, type GitRef, GitRefError, parseGitRef } from './git-ref.js';
import { githubUrls } from './github-auth.js';

/** kaniko's `git://host/path#ref#commit`, fetched over https (or http). */
function kanikoGitContext(value: string, env: NodeJS.ProcessEnv): GitRef {
  const [location = '', ref = '', commit = ''] = value.slice('git://'.length).split('#');
  if (!location) throw new GitRefError(`${value}: name the repository (git://host/owner/repo.git)`);
  const scheme = env.GIT_PULL_METHOD === 'http' ? 'http' : 'https';
  let url: URL;
  try {
    url = new URL(`${scheme}://${location}`);
  } catch {
    throw new GitRefError(`${value}: not a valid repository URL`);
  }
  return {
    remote: url.toString(),
    scheme,
    host: url.host,
    ref: commit || ref,
    subdir: '',
    unencrypted: scheme === 'http',
  };
}

/**
 * The git repository a context value names, or undefined for a directory.
 * `kanikoGit`: read `git://` as kaniko does (the CLI); else as BuildKit.
 */
export function parseGitContext(
  value: string,
  opts: { kanikoGit: boolean; env: NodeJS.ProcessEnv },
): GitRef | undefined {
  if (opts.kanikoGit && /^git:\/\//i.test(value)) return kanikoGitContext(value, opts.env);
  return parseGitRef(value);
}

/**
 * Credentials for a git context: kaniko's GIT_USERNAME/GIT_PASSWORD (or
 * GIT_TOKEN) for the context's own host; else a token (GIT_AUTH_TOKEN, or
 * the action's github-token) for GitHub's hosts only.
 */
export function gitContextAuth(
  ref: GitRef,
  env: NodeJS.ProcessEnv,
  githubToken?: string,
): GitAuth | undefined {
  const own = ref.scheme === 'https' || ref.scheme === 'http' ? `${new URL(ref.remote).origin}/` : undefined;
  const password = env.GIT_PASSWORD || env.GIT_TOKEN;
  if (own && password) {
    return { urls: [own], token: password, ...(env.GIT_USERNAME ? { username: env.GIT_USERNAME } : {}) };
  }
  const token = githubToken || env.GIT_AUTH_TOKEN;
  return token ? { urls: githubUrls(env), token } : undefined;
}

export interface FetchedContext {
  /** The context directory (the repository, or its subdir). */
  dir: string;
  commit: string;
  /** `remote#ref:subdir` without credentials, for the log. */
  name: string;
  /** Removes what was fetched; safe to call twice. */
  cleanup(): Promise<void>;
}

export async function fetchGitContext(
  ref: GitRef,
  opts: { parent: string; auth?: GitAuth; log?: (line: string) => void },
): Promise<FetchedContext> {
  await fs.mkdir(opts.parent, { recursive: true });
  const root = await fs.mkdtemp(path.join(opts.parent, 'kiln-git-context-'));
  const cleanup = () => fs.rm(root, { recursive: true, force: true });
  try {
    const fetcher = new GitFetcher({
      cacheDir: root,
      ...(opts.auth ? { auth: opts.auth } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    const { dir, commit } = await fetcher.tree(ref);
    return { dir, commit, name: formatGitRef(ref), cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
