/**
 * The metadata index of an in-place root (`/` less the kept paths), kept
 * between steps, and the walk that finds what a RUN changed.
 *
 * One lstat per entry is the floor (a file's content and metadata changes
 * show only on the file itself), but directories are not read again when
 * nothing was added to, removed from or renamed in them: that always moves
 * the directory's ctime, which no process can set back, and the snapshot
 * waits until the filesystem clock is past the newest ctime in the index
 * before a RUN starts (walk-index.ts waitForClockPast), so any such change
 * gets a later ctime. A directory whose inode and ctime are as indexed has
 * the names the index lists; their entries are still lstat'ed. Symlink
 * targets are read only for new or replaced links.
 *
 * The ChangeSet conventions are the walk snapshotter's (snapshot/snapshot.ts,
 * walk-index.ts diffIndexes), so both give the same layer for the same change.
 * Synchronous on purpose (see archive/extract.ts): one syscall per entry,
 * no thread-pool hand-offs.
 */
import type { BigIntStats, Dirent } from 'node:fs';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import type { Change } from '../../archive/changes.js';
import { inRoot } from '../../fs/root-path.js';
import { sortChanges, withAncestors } from '../snapshot/snapshot.js';
import { changed, entryFromStat, type IndexEntry, recreated } from '../snapshot/walk-index.js';
import type { KeptPaths } from './kept-paths.js';

export interface IndexNode extends IndexEntry {
  /** Directories: their entries, kept paths left out. */
  children?: Map<string, IndexNode>;
}

/**
 * ctime of an entry a shallow index knows by name and type only: it was
 * there before the index's floor (maxCtimeNs), nothing more is known.
 */
const UNKNOWN = -1n;

function direntType(d: Dirent): string | undefined {
  if (d.isFile()) return 'f';
  if (d.isSymbolicLink()) return 'l';
  if (d.isCharacterDevice()) return 'c';
  if (d.isBlockDevice()) return 'b';
  if (d.isFIFO()) return 'p';
  if (d.isSocket()) return 's';
  return undefined; // a directory, or a filesystem that does not say
}

function lstatOrUndefined(abs: string): BigIntStats | undefined {
  try {
    return lstatSync(abs, { bigint: true, throwIfNoEntry: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Same inode, not recreated. */
function sameInode(a: IndexNode, b: IndexNode): boolean {
  return !recreated(a, b);
}

export interface ScanStats {
  /** Entries lstat'ed. */
  entries: number;
  /** Directories read (the others' names came from the index). */
  dirsRead: number;
}

/** One walk of the root: the new tree, and (against an earlier index) what changed. */
class Scan {
  readonly stats: ScanStats = { entries: 0, dirsRead: 0 };
  maxCtimeNs = 0n;

  constructor(
    private readonly root: string,
    private readonly kept: KeptPaths,
    /** Collects changes; undefined for a plain index build. */
    private readonly out: Change[] | undefined,
    /** Entries of the earlier index known by name only changed when their ctime is past this. */
    private readonly floorNs = 0n,
    /** Build only: lstat directories only, know the other entries by name and type. */
    private readonly shallow = false,
    /** Paths whose times only Kiln moved (RUN mount targets put back): not compared. */
    private readonly settled: ReadonlySet<string> = new Set(),
  ) {}

  private placeholder(type: string): IndexNode {
    this.stats.entries++;
    const z = 0n;
    return {
      type,
      mode: 0,
      uid: 0,
      gid: 0,
      size: z,
      mtimeNs: z,
      ctimeNs: UNKNOWN,
      btimeNs: z,
      ino: z,
      rdev: z,
    };
  }

  /** Whether `node` at `rel` differs from `before`: new, replaced, recreated or changed. */
  private differs(rel: string, node: IndexNode, before: IndexNode | undefined): 'no' | 'yes' | 'recreated' {
    if (!before || before.type !== node.type) return 'yes';
    const settled = this.settled.has(rel);
    if (before.ctimeNs === UNKNOWN) return settled || node.ctimeNs <= this.floorNs ? 'no' : 'yes';
    if (!sameInode(node, before)) return 'recreated';
    return changed(node, before, false, settled) ? 'yes' : 'no';
  }

  abs(rel: string): string {
    return inRoot(this.root, rel);
  }

  node(abs: string, st: BigIntStats, old: IndexNode | undefined): IndexNode {
    const n: IndexNode = entryFromStat(st);
    if (n.type === 'l') {
      // A symlink's target never changes in place: the same, unchanged inode has the same one.
      n.target =
        old?.type === 'l' && sameInode(n, old) && old.ctimeNs === n.ctimeNs ? old.target : readlinkSync(abs);
    }
    this.stats.entries++;
    if (n.ctimeNs > this.maxCtimeNs) this.maxCtimeNs = n.ctimeNs;
    return n;
  }

  /**
   * The entries of directory `rel`. `old`: the indexed directory at the same
   * path (when it was one); `sameNames`: its names are known to be unchanged;
   * `recreated`: it is a new directory where the old one was.
   */
  dir(
    rel: string,
    old: IndexNode | undefined,
    sameNames: boolean,
    recreated: boolean,
  ): Map<string, IndexNode> {
    const abs = this.abs(rel);
    let names: Iterable<string>;
    const types = new Map<string, string>();
    if (sameNames && old?.children) names = old.children.keys();
    else {
      try {
        if (this.shallow) {
          names = [];
          for (const d of readdirSync(abs, { withFileTypes: true })) {
            (names as string[]).push(d.name);
            const t = direntType(d);
            if (t) types.set(d.name, t);
          }
        } else names = readdirSync(abs);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return new Map();
        throw e;
      }
      this.stats.dirsRead++;
    }
    const holder = this.kept.holds(rel);
    const children = new Map<string, IndexNode>();
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      if (holder && this.kept.has(childRel)) continue;
      const known = types.get(name);
      if (known) {
        children.set(name, this.placeholder(known));
        continue;
      }
      const childAbs = this.abs(childRel);
      const st = lstatOrUndefined(childAbs);
      if (!st) continue;
      const before = old?.children?.get(name);
      const node = this.node(childAbs, st, before);
      let childRecreated = false;
      if (this.out) {
        const d = this.differs(childRel, node, before);
        if (d !== 'no') this.out.push({ kind: 'add', path: childRel });
        childRecreated = d === 'recreated' && node.type === 'd';
      }
      if (node.type === 'd') {
        const oldDir = before?.type === 'd' ? before : undefined;
        const unchangedNames =
          oldDir !== undefined &&
          !childRecreated &&
          sameInode(node, oldDir) &&
          node.ctimeNs === oldDir.ctimeNs;
        node.children = this.dir(childRel, oldDir, unchangedNames, childRecreated);
      }
      children.set(name, node);
    }
    if (this.out && old?.children && !(sameNames && old.children.size === children.size)) {
      let opaque = false;
      for (const name of old.children.keys()) {
        if (children.has(name)) continue;
        if (recreated && rel !== '') opaque = true;
        else this.out.push({ kind: 'delete', path: rel ? `${rel}/${name}` : name });
      }
      if (opaque) this.out.push({ kind: 'opaque', path: rel });
    }
    return children;
  }
}

export class InPlaceIndex {
  private constructor(
    readonly root: string,
    private readonly kept: KeptPaths,
    private readonly top: IndexNode,
    /** Newest ctime in the index (the RUN waits for the clock to pass it). */
    public maxCtimeNs: bigint,
    readonly stats: ScanStats,
  ) {}

  /** Walks the whole root. */
  static build(root: string, kept: KeptPaths): InPlaceIndex {
    const scan = new Scan(root, kept, undefined);
    const top = scan.node(root, lstatSync(root, { bigint: true }), undefined);
    top.children = scan.dir('', undefined, false, false);
    return new InPlaceIndex(root, kept, top, scan.maxCtimeNs, scan.stats);
  }

  /**
   * Reads the root's directories only (the other entries by name and type):
   * enough for the next rescan when nothing in the root has a ctime past
   * `floorNs` (a clock probe taken after the root was last written, e.g.
   * right after extraction): an entry known by name only changed exactly
   * when its ctime is past the floor. A tenth of a full build's syscalls.
   */
  static shallow(root: string, kept: KeptPaths, floorNs: bigint): InPlaceIndex {
    const scan = new Scan(root, kept, undefined, 0n, true);
    const top = scan.node(root, lstatSync(root, { bigint: true }), undefined);
    top.children = scan.dir('', undefined, false, false);
    const max = scan.maxCtimeNs > floorNs ? scan.maxCtimeNs : floorNs;
    return new InPlaceIndex(root, kept, top, max, scan.stats);
  }

  /**
   * Walks the root again: the index of what is there now, and the changes
   * since this one. `settled`: paths whose times only Kiln moved (their
   * other metadata is still compared).
   */
  rescan(settled: ReadonlySet<string> = new Set()): { index: InPlaceIndex; changes: Change[] } {
    const out: Change[] = [];
    const scan = new Scan(this.root, this.kept, out, this.maxCtimeNs, false, settled);
    const top = scan.node(this.root, lstatSync(this.root, { bigint: true }), this.top);
    const sameNames = sameInode(top, this.top) && top.ctimeNs === this.top.ctimeNs;
    top.children = scan.dir('', this.top, sameNames, false);
    const index = new InPlaceIndex(this.root, this.kept, top, scan.maxCtimeNs, scan.stats);
    return { index, changes: sortChanges(withAncestors(out)) };
  }

  /** Number of entries (the root excluded). */
  get size(): number {
    return this.stats.entries - 1;
  }

  private lookup(rel: string): IndexNode | undefined {
    let n: IndexNode | undefined = this.top;
    if (!rel) return n;
    for (const c of rel.split('/')) {
      n = n?.children?.get(c);
      if (!n) return undefined;
    }
    return n;
  }

  /**
   * Brings the index up to date after a step wrote `changes` into the root
   * itself (COPY/ADD, WORKDIR): the changed paths and their ancestors are
   * read again, new directories walked.
   */
  apply(changes: readonly Change[]): void {
    const scan = new Scan(this.root, this.kept, undefined);
    const ancestors = new Set<string>();
    for (const c of sortChanges([...changes])) {
      if (this.kept.has(c.path)) continue;
      const slash = c.path.lastIndexOf('/');
      const parentRel = slash < 0 ? '' : c.path.slice(0, slash);
      const name = c.path.slice(slash + 1);
      for (let p = parentRel; ; p = p.slice(0, Math.max(p.lastIndexOf('/'), 0))) {
        ancestors.add(p);
        if (!p) break;
      }
      const parent = this.lookup(parentRel);
      if (!parent?.children) continue;
      const abs = scan.abs(c.path);
      const st = c.kind === 'delete' ? undefined : lstatOrUndefined(abs);
      if (!st) {
        parent.children.delete(name);
        continue;
      }
      const old = parent.children.get(name);
      const node = scan.node(abs, st, old);
      if (node.type === 'd') {
        const keep = old?.type === 'd' && sameInode(node, old) && c.kind !== 'opaque';
        node.children = keep ? old.children : scan.dir(c.path, undefined, false, false);
      }
      parent.children.set(name, node);
    }
    for (const rel of ancestors) {
      const n = this.lookup(rel);
      const st = n ? lstatOrUndefined(scan.abs(rel)) : undefined;
      if (!n || !st) continue;
      const fresh = scan.node(scan.abs(rel), st, n);
      Object.assign(n, { ...fresh, children: n.children });
    }
    if (scan.maxCtimeNs > this.maxCtimeNs) this.maxCtimeNs = scan.maxCtimeNs;
  }
}
