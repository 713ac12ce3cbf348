/**
 * A tree COPY/ADD reads from: the build context (with .dockerignore) or an
 * earlier stage's root filesystem. Sources are matched like BuildKit: the
 * path is cleaned against the tree's root (`..` cannot leave it), wildcards
 * match one segment at a time (Go path.Match), a symlink named as the source
 * is followed inside the tree, symlinks below it are copied as symlinks.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { IgnoreMatcher } from '../../dockerfile/dockerignore.js';
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
        const names = (await fs.readdir(path.join(this.root, dir.rel))).sort();
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
      out.push({ matched, rel: r.rel, abs, stat: await fs.stat(abs) });
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
    yield* this.walkDir(dir.abs, dir.rel, '');
  }

  // Synchronous calls: a thread-pool hand-off per lstat cost more than the lstat (1.3 s for 30,000 files).
  private async *walkDir(abs: string, treeRel: string, rel: string): AsyncGenerator<SourceEntry> {
    const names = readdirSync(abs).sort(byteOrder);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const st = lstatSync(path.join(abs, name));
      const childTree = treeRel ? `${treeRel}/${name}` : name;
      const childRel = rel ? `${rel}/${name}` : name;
      const childAbs = path.join(abs, name);
      const decision = this.ignore ? this.ignore.decide(childTree, st.isDirectory()) : 'include';
      if (decision === 'prune') continue;
      if (decision === 'include') yield { rel: childRel, treeRel: childTree, abs: childAbs, stat: st };
      if (st.isDirectory()) yield* this.walkDir(childAbs, childTree, childRel);
    }
  }
}

/** Byte order of UTF-8 names (BuildKit and tar sort this way), not UTF-16 order. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
