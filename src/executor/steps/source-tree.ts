/**
 * A tree COPY/ADD reads from: the build context (with .dockerignore) or an
 * earlier stage's root filesystem. Sources are matched like BuildKit: the
 * path is cleaned against the tree's root (`..` cannot leave it), wildcards
 * match one segment at a time (Go path.Match), a symlink named as the source
 * is followed inside the tree, symlinks below it are copied as symlinks.
 * Names are byte-exact (fs/byte-names.ts): one that is not UTF-8 is walked,
 * hashed and copied like any other.
 */
import { lstatSync, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { IgnoreMatcher } from '../../dockerfile/dockerignore.js';
import type { DirState } from '../../dockerfile/pattern-matcher.js';
import { byteOrder, osPath, readdirNames } from '../../fs/byte-names.js';
import { resolveInRoot } from '../../fs/root-path.js';
import { hasMeta, matchSegment } from './path-match.js';

export class SourceNotFoundError extends Error {
  override name = 'SourceNotFoundError';
}

export interface SourceMatch {
  /** The source as matched (before following a symlink), tree-relative; '' is the root. */
  matched: string;
  /** Tree-relative path after following symlinks; '' is the root. */
  rel: string;
  abs: string;
  /** stat of what `rel` names (never a symlink). */
  stat: Stats;
}

export interface SourceEntry {
  /** Path relative to the walked directory, `/`-separated. */
  rel: string;
  /** Path relative to the tree root (for .dockerignore and cache keys). */
  treeRel: string;
  abs: string;
  stat: Stats;
}

export class SourceTree {
  constructor(
    readonly root: string,
    /** How errors name the tree: `build context`, `stage "build"`. */
    readonly label: string,
    readonly ignore?: IgnoreMatcher,
  ) {}

  private ignored(rel: string): boolean {
    return rel !== '' && this.ignore !== undefined && this.ignore.matches(rel);
  }

  /** The sources a COPY/ADD pattern names, sorted; an error when none. */
  async match(pattern: string): Promise<SourceMatch[]> {
    const cleaned = path.posix.normalize(`/${pattern}`).replace(/^\/+/, '').replace(/\/+$/, '');
    const segments = cleaned === '' || cleaned === '.' ? [] : cleaned.split('/');
    let candidates = [''];
    for (const seg of segments) {
      const next: string[] = [];
      for (const cand of candidates) {
        if (!hasMeta(seg)) {
          next.push(cand ? `${cand}/${seg}` : seg);
          continue;
        }
        const dir = resolveInRoot(this.root, cand);
        if (!dir.stat?.isDirectory()) continue;
        const names = readdirNames(path.join(this.root, dir.rel)).sort(byteOrder);
        for (const n of names) if (matchSegment(seg, n)) next.push(cand ? `${cand}/${n}` : n);
      }
      candidates = next;
    }
    const out: SourceMatch[] = [];
    for (const matched of candidates) {
      if (this.ignored(matched)) continue;
      const r = resolveInRoot(this.root, matched);
      if (!r.stat || this.ignored(r.rel)) continue;
      const abs = path.join(this.root, r.rel);
      out.push({ matched, rel: r.rel, abs, stat: await fs.stat(osPath(abs)) });
    }
    if (out.length === 0) {
      const what = this.ignore ? `${this.label} (or excluded by .dockerignore)` : this.label;
      throw new SourceNotFoundError(`"${pattern}" not found in the ${what}`);
    }
    return out;
  }

  /**
   * Every entry below a matched directory, depth first in byte order, .dockerignore applied
   * (a pruned directory is skipped whole; an excluded one is still searched for exceptions).
   */
  async *walk(dir: SourceMatch): AsyncGenerator<SourceEntry> {
    yield* this.walkDir(dir.abs, dir.rel, '', this.ignore?.stateOf(dir.rel));
  }

  // Synchronous calls: a thread-pool hand-off per lstat cost more than the lstat (1.3 s for 30,000 files).
  private async *walkDir(
    abs: string,
    treeRel: string,
    rel: string,
    ignoreState: DirState | undefined,
  ): AsyncGenerator<SourceEntry> {
    const names = readdirNames(abs).sort(byteOrder);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const st = lstatSync(osPath(path.join(abs, name)));
      const childTree = treeRel ? `${treeRel}/${name}` : name;
      const childRel = rel ? `${rel}/${name}` : name;
      const childAbs = path.join(abs, name);
      const isDir = st.isDirectory();
      const decision = ignoreState && this.ignore!.entry(ignoreState, name, isDir);
      if (decision?.prune) continue;
      if (!decision?.excluded) yield { rel: childRel, treeRel: childTree, abs: childAbs, stat: st };
      if (isDir) yield* this.walkDir(childAbs, childTree, childRel, decision?.state);
    }
  }
}
