/**
 * ADD <git source>: the repository (at the ref, the subdir applied) is
 * fetched with the `git` program and copied into the destination like a
 * directory source (its contents, owned by root unless --chown). `.git` is
 * left out unless `--keep-git-dir` (or `?keep-git-dir` in the URL; the two
 * must agree); `--checksum` (or `?checksum=`) pins the commit. Checkouts are
 * kept by commit under the cache directory (`--cache-dir`/git) when there is
 * one, else in the workspace for this build. A token (BuildOptions
 * gitAuthToken) is sent to GitHub's hosts only.
 */
import path from 'node:path';
import type { AddInstruction } from '../../dockerfile/instructions.js';
import { GitFetcher } from '../../git/fetch.js';
import type { GitAuth } from '../../git/git-command.js';
import { formatGitRef, type GitRef, GitRefError, parseGitRef } from '../../git/git-ref.js';
import { githubUrls } from '../../git/github-auth.js';
import type { BuildSession } from '../session.js';
import { SourceTree } from './source-tree.js';

const fetchers = new WeakMap<BuildSession, Promise<GitFetcher>>();

function fetcherFor(session: BuildSession): Promise<GitFetcher> {
  let f = fetchers.get(session);
  if (!f) {
    f = (async () => {
      const o = session.options;
      const cacheDir = o.cache.dir ? path.join(o.cache.dir, 'git') : await session.workspace.dir('git');
      const auth: GitAuth | undefined = o.gitAuthToken
        ? { token: o.gitAuthToken, urls: githubUrls(process.env) }
        : undefined;
      if (auth) session.log.secret(auth.token);
      return new GitFetcher({ cacheDir, auth, signal: session.signal, log: (l) => session.log.info(l) });
    })();
    fetchers.set(session, f);
  }
  return f;
}

export function gitSource(src: string): GitRef | undefined {
  return parseGitRef(src);
}

export interface GitSourceTree {
  tree: SourceTree;
  /** What identifies the content for the cache key. */
  key: string;
}

/** Fetches an ADD git source; errors are plain messages (the caller adds the line). */
export async function fetchGitSource(
  session: BuildSession,
  src: GitRef,
  instr: AddInstruction,
): Promise<GitSourceTree> {
  const ref: GitRef = { ...src };
  if (instr.keepGitDir && src.keepGitDir === false)
    throw new GitRefError('inconsistent keep-git-dir configuration');
  if (instr.keepGitDir) ref.keepGitDir = true;
  if (instr.checksum !== undefined) {
    if (src.checksum !== undefined && src.checksum !== instr.checksum) {
      throw new GitRefError(`checksum mismatch "${instr.checksum}" != "${src.checksum}"`);
    }
    ref.checksum = instr.checksum;
  }
  const { dir, commit } = await (await fetcherFor(session)).tree(ref);
  return {
    tree: new SourceTree(dir, `git ${formatGitRef(ref)}`),
    key: `${formatGitRef(ref)}\0${commit}\0${ref.keepGitDir ? 'keep' : ''}\0${ref.submodules === false ? 'nosub' : ''}`,
  };
}
