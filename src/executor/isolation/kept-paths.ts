/**
 * Paths an in-place build leaves alone: the container's mount points
 * (/proc, /sys, /dev, /etc/hosts, the context volume, Kubernetes secrets…),
 * Kiln's own directory, its workspace, the context and the outputs. They are
 * never extracted onto, cleared, snapshotted or written by a step; their
 * ancestors are ordinary directories whose other entries belong to the build.
 *
 * Paths are root-relative ('etc/hosts'), as the extractor and the snapshot
 * walk see them.
 */
import { posix } from 'node:path';

/** An absolute path as a clean root-relative one ('' for '/'). */
export function relativeToRoot(abs: string): string {
  return posix.normalize(`/${abs}`).replace(/^\/+|\/+$/g, '');
}

export class KeptPaths {
  private readonly kept = new Set<string>();
  /** Strict ancestors of kept paths ('' included when any path is kept). */
  private readonly holders = new Set<string>();

  /** `paths`: absolute paths; '/' itself cannot be kept (the build would have nowhere to go). */
  constructor(paths: Iterable<string>) {
    for (const p of paths) {
      const rel = relativeToRoot(p);
      if (rel === '')
        throw new Error(`cannot keep ${p} out of an in-place build: it is the whole filesystem`);
      this.kept.add(rel);
    }
    // A path under another kept path adds nothing.
    for (const rel of [...this.kept]) if (this.keptAncestor(rel) !== undefined) this.kept.delete(rel);
    for (const rel of this.kept) {
      this.holders.add('');
      for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) this.holders.add(rel.slice(0, i));
    }
  }

  /** The kept path that is `rel` or one of its strict ancestors. */
  private keptAncestor(rel: string): string | undefined {
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) {
      const a = rel.slice(0, i);
      if (this.kept.has(a)) return a;
    }
    return undefined;
  }

  /** The kept path covering `rel` (rel itself or an ancestor), or undefined. */
  covering(rel: string): string | undefined {
    if (this.kept.has(rel)) return rel;
    return this.keptAncestor(rel);
  }

  /** `rel` is kept, or lies under a kept path. */
  has(rel: string): boolean {
    return this.covering(rel) !== undefined;
  }

  /** `rel` is a strict ancestor of a kept path: a directory the build shares with them. */
  holds(rel: string): boolean {
    return this.holders.has(rel);
  }

  /** The kept paths, absolute, sorted. */
  list(): string[] {
    return [...this.kept].sort().map((r) => `/${r}`);
  }
}
