/**
 * What a RUN --mount=type=bind (and a cache seeded `from=`) shows: a path
 * of the build context, of an earlier stage or of an image, found like
 * BuildKit's mount selector (cleaned against the tree's root, symlinks
 * followed inside it, never a pattern).
 *
 * - its cache key: the content of the context path (as COPY hashes it), or
 *   the stage's key / the image's digest with the path;
 * - the host path to mount: a stage's or image's files directly when
 *   read-only (they no longer change); the context through a copy made
 *   once per build (.dockerignore applied, owners 0:0 as the docker CLI
 *   sends them); a fresh copy for `rw` (writes are discarded).
 */
import { chmodSync, chownSync, lchownSync, mkdirSync, statSync, utimesSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CacheKeyBuilder } from '../../cache/key.js';
import { resolveInRoot } from '../../fs/root-path.js';
import type { StepEnv } from '../stage/step.js';
import { copyIntoRootfs } from './copy.js';
import type { FromSource } from './copy-instruction.js';
import { canChown } from './owned-layer.js';
import { hashSources } from './source-hash.js';
import { type SourceMatch, SourceNotFoundError, type SourceTree } from './source-tree.js';

/** Where a bind source lives: the context, a stage/image (FromSource), or scratch (empty). */
export type BindOrigin =
  | { kind: 'context' }
  | { kind: 'from'; name: string; source: FromSource }
  | { kind: 'scratch' };

/** `source` cleaned against the tree root: '' for the root itself. */
export function cleanSource(source: string | undefined): string {
  return path.posix
    .join('/', source ?? '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
}

/** The source as a SourceMatch of `tree`; SourceNotFoundError when it is not there (or ignored). */
export async function literalMatch(tree: SourceTree, source: string): Promise<SourceMatch> {
  const r = resolveInRoot(tree.root, source);
  const ignored = (rel: string) => rel !== '' && tree.ignore?.matches(rel) === true;
  if (!r.stat || ignored(source) || ignored(r.rel)) {
    const what = tree.ignore ? `${tree.label} (or excluded by .dockerignore)` : tree.label;
    throw new SourceNotFoundError(`"/${source}" not found in the ${what}`);
  }
  const abs = path.join(tree.root, r.rel);
  return { matched: source, rel: r.rel, abs, stat: statSync(abs) };
}

/** The cache key part of a bind source (its content for the context). */
export async function bindSourceKey(env: StepEnv, origin: BindOrigin, source: string): Promise<string> {
  switch (origin.kind) {
    case 'scratch':
      return `scratch:${source}`;
    case 'from':
      return `from:${origin.source.key}:${source}`;
    case 'context': {
      const { session } = env;
      // Without a cache the key is never looked up: do not read the files for it.
      if (!session.cache) return `context:${source}:uncached`;
      const k = new CacheKeyBuilder('bind');
      const memo = await session.cache.fileDigests?.scope(session.contextTree.root);
      await hashSources(k, session.contextTree, [await literalMatch(session.contextTree, source)], memo);
      return `context:${source}:${k.digest()}`;
    }
  }
}

/**
 * A copy of `match` in `dir` (created when missing): the directory itself,
 * or the file inside it. `preserve`: keep the owners (stages, images); else 0:0.
 */
export async function copySourceInto(
  dir: string,
  tree: SourceTree,
  match: SourceMatch,
  preserve: boolean,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const isDir = match.stat.isDirectory();
  await copyIntoRootfs({
    rootfs: dir,
    dest: isDir ? '/' : '/file',
    sources: [{ tree, match }],
    contents: [],
    ...(preserve ? { owner: 'preserve' as const } : {}),
    exclude: [],
    parents: false,
  });
  if (!isDir) return path.join(dir, 'file');
  // The copy's root is the source directory itself: its mode, owner and time.
  if (canChown()) {
    if (preserve) chownSync(dir, match.stat.uid, match.stat.gid);
    else lchownSync(dir, 0, 0);
  }
  chmodSync(dir, match.stat.mode & 0o7777);
  utimesSync(dir, match.stat.atime, match.stat.mtime);
  return dir;
}

/** The host path a bind mount shows (see the module comment); `dispose` removes a per-RUN copy. */
export async function bindSourcePath(
  env: StepEnv,
  origin: BindOrigin,
  source: string,
  readonly: boolean,
): Promise<{ path: string; dispose?: () => Promise<void> }> {
  const { session } = env;
  const fresh = async (tree: SourceTree, preserve: boolean) => {
    const dir = await session.workspace.dir('mount-source');
    const p = await copySourceInto(dir, tree, await literalMatch(tree, source), preserve);
    return { path: p, dispose: () => rm(dir, { recursive: true, force: true }) };
  };
  if (origin.kind === 'scratch') {
    if (source !== '') throw new SourceNotFoundError(`"/${source}" not found in scratch (it has no files)`);
    const dir = await session.workspace.dir('mount-scratch');
    chmodSync(dir, 0o755);
    return { path: dir };
  }
  if (origin.kind === 'from') {
    const tree = await origin.source.tree();
    return readonly ? { path: (await literalMatch(tree, source)).abs } : fresh(tree, true);
  }
  const tree = session.contextTree;
  if (!readonly) return fresh(tree, false);
  let copy = session.runMounts.contextCopies.get(source);
  if (!copy) {
    copy = session.track(
      (async () => {
        const dir = await session.workspace.dir('mount-context');
        return copySourceInto(dir, tree, await literalMatch(tree, source), false);
      })(),
    );
    session.runMounts.contextCopies.set(source, copy);
    copy.catch(() => session.runMounts.contextCopies.delete(source));
  }
  return { path: await copy };
}
