/**
 * Fetching a git source into a directory, as BuildKit's git source does it:
 * the ref is resolved with `git ls-remote` (a commit SHA is taken as it is,
 * no ref means the remote's default branch; a branch wins over a tag of the
 * same name), checked against a checksum when given, then fetched with
 * depth 1 and checked out, submodules included unless turned off. Files get
 * the commit's time as mtime, so a checkout is the same bytes every time.
 * The `.git` directory is removed unless kept (`--keep-git-dir`), and then
 * holds no credentials and no reflog.
 *
 * Checkouts are cached by commit: a second fetch of the same commit (in the
 * build, or a later one sharing the cache directory) reads the remote once
 * (ls-remote) for a branch or tag, and not at all for a pinned commit.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveInRoot } from '../fs/root-path.js';
import { type GitAuth, GitError, runGit } from './git-command.js';
import { formatGitRef, type GitRef, redactUrl } from './git-ref.js';

export interface Checkout {
  /** The repository's root (the subdir is the caller's to apply). */
  dir: string;
  commit: string;
}

export interface FetcherOptions {
  /** Where checkouts are kept (created if missing). */
  cacheDir: string;
  auth?: GitAuth;
  signal?: AbortSignal;
  /** Progress lines (`git: fetching …`). */
  log?: (line: string) => void;
}

const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const DONE = '.kiln-complete';

function isCommit(ref: string): boolean {
  return COMMIT.test(ref);
}

/** The ref's commit from `ls-remote` output, with BuildKit's preferences; undefined when absent. */
export function pickRef(
  lsRemote: string,
  ref: string,
): { commit: string; usedRef: string; annotatedTagCommit?: string } | undefined {
  const trimmed = (p: string) => ref.replace(new RegExp(`^${p}`), '');
  const partial = `refs/${trimmed('refs/')}`;
  const head = `refs/heads/${trimmed('refs/heads/')}`;
  const tag = `refs/tags/${trimmed('refs/tags/')}`;
  let sha = '';
  let usedRef = '';
  let headSha = '';
  let tagSha = '';
  let annotated = '';
  for (const line of lsRemote.split('\n')) {
    const [lineSha = '', lineRef = ''] = line.split('\t');
    if (lineRef === head) headSha = lineSha;
    else if (lineRef === tag) tagSha = lineSha;
    else if (lineRef === `${tag}^{}`) annotated = lineSha;
    else if (lineRef === partial) {
      sha = lineSha;
      usedRef = lineRef;
    }
  }
  if (!sha && headSha) {
    sha = headSha;
    usedRef = head;
  }
  if (sha) annotated = '';
  if (!sha && tagSha) {
    sha = tagSha;
    usedRef = tag;
  }
  if (!sha || !isCommit(sha)) return undefined;
  return annotated ? { commit: sha, usedRef, annotatedTagCommit: annotated } : { commit: sha, usedRef };
}

export class GitFetcher {
  private readonly inFlight = new Map<string, Promise<Checkout>>();

  constructor(private readonly opts: FetcherOptions) {}

  private git(args: string[], cwd: string): Promise<string> {
    return runGit(args, {
      cwd,
      ...(this.opts.auth ? { auth: this.opts.auth } : {}),
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
    });
  }

  /** The commit a ref names on the remote (ls-remote; a commit SHA as it is). */
  async resolve(src: GitRef): Promise<{ commit: string; usedRef: string }> {
    const name = redactUrl(src.remote);
    if (src.checksum !== undefined && !/^[0-9a-fA-F]+$/.test(src.checksum)) {
      throw new GitError(`invalid checksum ${src.checksum} for ${name}: expected a hex commit hash`);
    }
    const checksum = src.checksum?.toLowerCase();
    if (isCommit(src.ref)) {
      if (checksum && !src.ref.startsWith(checksum)) {
        throw new GitError(`${name}: expected checksum to match ${checksum}, got ${src.ref}`);
      }
      return { commit: src.ref, usedRef: src.ref };
    }
    await fs.mkdir(this.opts.cacheDir, { recursive: true });
    const lsRemote = (args: string[]) =>
      this.git(['ls-remote', ...args], this.opts.cacheDir).catch((e: Error) => {
        throw new GitError(`${name}: ${e.message}`);
      });
    let ref = src.ref;
    if (!ref) {
      const out = await lsRemote(['--symref', '--', src.remote, 'HEAD']);
      ref = /^ref: (\S+)\tHEAD$/m.exec(out)?.[1] ?? '';
      if (!ref)
        throw new GitError(
          `${name}: the remote names no default branch (HEAD); give a ref: ${name}#<branch>`,
        );
    }
    const out = await lsRemote(['--', src.remote, ref, `${ref}^{}`]);
    const picked = pickRef(out, ref);
    if (!picked)
      throw new GitError(
        `${name}: the repository has no ref ${JSON.stringify(ref)} (branch, tag or full commit SHA)`,
      );
    if (checksum) {
      const ok = picked.commit.startsWith(checksum) || picked.annotatedTagCommit?.startsWith(checksum);
      if (!ok) {
        const got = picked.annotatedTagCommit
          ? `${picked.commit} or ${picked.annotatedTagCommit}`
          : picked.commit;
        throw new GitError(`${name}#${ref}: expected checksum to match ${checksum}, got ${got}`);
      }
    }
    // An annotated tag: the commit it points at is what gets checked out.
    return { commit: picked.annotatedTagCommit ?? picked.commit, usedRef: picked.usedRef };
  }

  /** The checkout's directory the source names: the repository, or its subdir (never outside it). */
  async tree(src: GitRef): Promise<Checkout> {
    const c = await this.checkout(src);
    if (!src.subdir) return c;
    const r = await resolveInRoot(c.dir, src.subdir);
    if (!r.stat?.isDirectory()) {
      throw new GitError(
        `${formatGitRef(src)}: "${src.subdir}" is not a directory of the repository at ${c.commit}`,
      );
    }
    return { dir: path.join(c.dir, r.rel), commit: c.commit };
  }

  /** Resolves and checks out `src` (cached by commit). */
  async checkout(src: GitRef): Promise<Checkout> {
    const { commit, usedRef } = await this.resolve(src);
    const keep = src.keepGitDir === true;
    const submodules = src.submodules !== false;
    const key = createHash('sha256')
      .update(
        [redactUrl(src.remote), commit, keep ? 'keep-git-dir' : '', submodules ? 'submodules' : ''].join(
          '\0',
        ),
      )
      .digest('hex')
      .slice(0, 32);
    const dir = path.join(this.opts.cacheDir, key);
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.fetchInto(dir, src, commit, usedRef, keep, submodules);
      this.inFlight.set(key, p);
      p.catch(() => this.inFlight.delete(key));
    }
    return p;
  }

  private async fetchInto(
    dir: string,
    src: GitRef,
    commit: string,
    usedRef: string,
    keep: boolean,
    submodules: boolean,
  ): Promise<Checkout> {
    const name = redactUrl(src.remote);
    const tree = path.join(dir, 'tree');
    if (await exists(path.join(dir, DONE))) {
      this.opts.log?.(`git: ${name} at ${commit.slice(0, 12)} (cached)`);
      return { dir: tree, commit };
    }
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(tree, { recursive: true });
    this.opts.log?.(
      `git: fetching ${name} at ${commit.slice(0, 12)}${usedRef !== commit ? ` (${usedRef})` : ''}`,
    );
    try {
      await this.git(['init', '-q'], tree);
      await this.git(['remote', 'add', 'origin', src.remote], tree);
      try {
        await this.git(
          ['fetch', '-q', '--depth=1', '--no-tags', 'origin', isCommit(usedRef) ? commit : usedRef],
          tree,
        );
      } catch {
        // Servers that refuse a SHA in a fetch (git daemon's default): every branch and tag, then the commit.
        await this.git(['fetch', '-q', '--tags', 'origin', '+refs/heads/*:refs/remotes/origin/*'], tree);
      }
      await this.git(['checkout', '-q', '--detach', commit], tree);
      const head = (await this.git(['rev-parse', 'HEAD'], tree)).trim();
      if (head !== commit) throw new GitError(`${name}: checked out ${head}, expected ${commit}`);
      if (submodules && (await exists(path.join(tree, '.gitmodules')))) {
        await this.git(['submodule', 'update', '--init', '--recursive', '--depth=1'], tree);
      }
      const time = Number((await this.git(['log', '-1', '--format=%ct', commit], tree)).trim());
      if (keep) {
        await this.git(['remote', 'set-url', 'origin', name], tree);
        await this.git(['reflog', 'expire', '--all', '--expire=now'], tree);
        await fs.rm(path.join(tree, '.git', 'FETCH_HEAD'), { force: true });
      } else {
        await removeGitDirs(tree);
      }
      await setTimes(tree, new Date(time * 1000));
      await fs.writeFile(path.join(dir, DONE), `${commit}\n`);
      return { dir: tree, commit };
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true });
      if (e instanceof GitError) throw new GitError(`fetching ${name}: ${e.message}`);
      throw e;
    }
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/** `.git` (a directory, or a submodule's `.git` file) anywhere in the checkout. */
async function removeGitDirs(dir: string): Promise<void> {
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.name === '.git') await fs.rm(p, { recursive: true, force: true });
    else if (e.isDirectory()) await removeGitDirs(p);
  }
}

/** Every entry's mtime (symlinks themselves, not their targets), children before their directory. */
async function setTimes(dir: string, when: Date): Promise<void> {
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await setTimes(p, when);
    await fs.lutimes(p, when, when);
  }
  await fs.utimes(dir, when, when);
}
