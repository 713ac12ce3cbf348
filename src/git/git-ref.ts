/**
 * Git sources as BuildKit names them (frontend/dockerfile/dfgitutil
 * ParseGitRef, util/gitutil ParseURL): `https://host/o/r.git#ref:subdir`
 * (http(s) only with a `.git` path), `git://host/o/r#ref`,
 * `ssh://user@host/o/r.git`, `git@host:o/r.git#ref` (scp-like), with the
 * query options `?ref=`, `?tag=`, `?branch=`, `?subdir=`, `?checksum=`
 * (`?commit=`), `?keep-git-dir`, `?submodules=`. BuildKit's deprecated
 * `github.com/o/r` (no scheme) is taken for what it looks like: a path.
 */

export class GitRefError extends Error {
  override name = 'GitRefError';
}

export interface GitRef {
  /** What git fetches from (no fragment, no query; credentials in it are never printed). */
  remote: string;
  scheme: 'https' | 'http' | 'git' | 'ssh';
  host: string;
  /** Branch, tag, full ref or commit; empty: the remote's default branch. */
  ref: string;
  /** Directory inside the repository to use ('' for the root). */
  subdir: string;
  /** Commit (hex prefix) the ref must resolve to. */
  checksum?: string;
  keepGitDir?: boolean;
  submodules?: boolean;
  /** Plain-text transport (git://, http://). */
  unencrypted: boolean;
}

const SCHEME = /^([a-zA-Z0-9]+):\/\//;
const SCP = /^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\?(.*?))?(?:#(.*))?$/;
const SUPPORTED = new Set(['http', 'https', 'git', 'ssh']);

/** `ref:subdir` of a fragment; the subdir cleaned, without leading `/`. */
function parseFragment(fragment: string): { ref: string; subdir: string } {
  const colon = fragment.indexOf(':');
  const ref = colon < 0 ? fragment : fragment.slice(0, colon);
  const sub = colon < 0 ? '' : fragment.slice(colon + 1);
  const subdir = normalizeSubdir(sub);
  return { ref, subdir };
}

/** Go's path.Join("/", p) without the leading slash. */
function normalizeSubdir(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

function parseBoolOption(name: string, v: string | undefined): boolean {
  if (v === undefined || v === '') return true;
  const t = ['1', 't', 'T', 'TRUE', 'true', 'True'];
  const f = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
  if (t.includes(v)) return true;
  if (f.includes(v)) return false;
  throw new GitRefError(`invalid ${name} value: ${JSON.stringify(v)}`);
}

function applyQuery(ref: GitRef, query: string): void {
  if (query === '') return;
  const params = new URLSearchParams(query);
  let tag = '';
  let branch = '';
  const seen = new Set<string>();
  for (const [k, v] of params) {
    if (seen.has(k)) throw new GitRefError(`query ${JSON.stringify(k)} has multiple values`);
    seen.add(k);
    if (v === '' && !['submodules', 'keep-git-dir'].includes(k)) {
      throw new GitRefError(`query ${JSON.stringify(k)} has no value`);
    }
    switch (k) {
      case 'ref':
        if (ref.ref && ref.ref !== v) throw new GitRefError(`ref conflicts: "${ref.ref}" vs "${v}"`);
        ref.ref = v;
        break;
      case 'tag':
        tag = v;
        break;
      case 'branch':
        branch = v;
        break;
      case 'subdir':
        if (ref.subdir && ref.subdir !== v)
          throw new GitRefError(`subdir conflicts: "${ref.subdir}" vs "${v}"`);
        ref.subdir = normalizeSubdir(v);
        break;
      case 'checksum':
      case 'commit':
        ref.checksum = v;
        break;
      case 'keep-git-dir':
        ref.keepGitDir = parseBoolOption('keep-git-dir', v);
        break;
      case 'submodules':
        ref.submodules = parseBoolOption('submodules', v);
        break;
      default:
        throw new GitRefError(`unexpected query ${JSON.stringify(k)}`);
    }
  }
  if (tag) {
    const full = tag.startsWith('refs/tags/') ? tag : `refs/tags/${tag}`;
    if (ref.ref && ref.ref !== full) throw new GitRefError(`ref conflicts: "${ref.ref}" vs "${full}"`);
    ref.ref = full;
  }
  if (branch) {
    if (tag) throw new GitRefError('branch conflicts with tag');
    const full = branch.startsWith('refs/heads/') ? branch : `refs/heads/${branch}`;
    if (ref.ref && ref.ref !== full) throw new GitRefError(`ref conflicts: "${ref.ref}" vs "${full}"`);
    ref.ref = full;
  }
}

/**
 * The git source a string names, or undefined when it is not one (a local
 * path, an http(s) URL without `.git`). Throws GitRefError for a git source
 * with invalid options or an unsupported scheme.
 */
export function parseGitRef(src: string): GitRef | undefined {
  if (src.startsWith('./') || src.startsWith('../')) return undefined;
  const scheme = SCHEME.exec(src)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!SUPPORTED.has(scheme)) return undefined;
    let url: URL;
    try {
      url = new URL(src);
    } catch {
      throw new GitRefError(`${redactUrl(src)}: not a valid URL`);
    }
    if ((scheme === 'http' || scheme === 'https') && !url.pathname.endsWith('.git')) return undefined;
    const { ref, subdir } = parseFragment(decodeURIComponent(url.hash.slice(1)));
    const query = url.search.slice(1);
    url.hash = '';
    url.search = '';
    const out: GitRef = {
      remote: url.toString(),
      scheme: scheme as GitRef['scheme'],
      host: url.host,
      ref,
      subdir,
      unencrypted: scheme === 'http' || scheme === 'git',
    };
    applyQuery(out, query);
    return out;
  }
  const scp = SCP.exec(src);
  if (scp) {
    const { ref, subdir } = parseFragment(scp[5] ?? '');
    const out: GitRef = {
      remote: `${scp[1]}@${scp[2]}:${scp[3]}`,
      scheme: 'ssh',
      host: scp[2]!,
      ref,
      subdir,
      unencrypted: false,
    };
    applyQuery(out, scp[4] ?? '');
    return out;
  }
  return undefined;
}

/** A URL with any user:password@ removed, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-zA-Z0-9]+:\/\/)[^/@]*@/, '$1');
}

/** `remote#ref:subdir` as BuildKit shows a git source, credentials removed. */
export function formatGitRef(r: GitRef): string {
  const frag = r.ref || r.subdir ? `#${r.ref}${r.subdir ? `:${r.subdir}` : ''}` : '';
  return `${redactUrl(r.remote)}${frag}`;
}
