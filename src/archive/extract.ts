/**
 * Safe extraction of one layer tar into a rootfs. Every write stays inside
 * the rootfs whatever the tar says:
 * - names are cleaned lexically and a `..` that climbs above the root is
 *   rejected; absolute names are taken relative to the root;
 * - parent directories are resolved with RootResolver (symlinks followed
 *   inside the root only); the leaf itself is never followed: a non-directory
 *   entry replaces whatever is there (files are created O_EXCL|O_NOFOLLOW), a
 *   directory entry replaces a non-directory and keeps an existing directory;
 * - hardlink targets are resolved the same way and must be inside;
 * - whiteouts delete what lower layers put there, never what this layer adds
 *   (so their order in the tar does not matter); malformed ones are rejected.
 * Metadata: owners (when allowed, i.e. root), modes with setuid/setgid/sticky
 * (after chown, which clears them), mtimes (directories in a final pass),
 * allow-listed xattrs in one batch at the end, devices only when allowed.
 *
 * Filesystem calls are synchronous on purpose. Each entry costs a handful of
 * tiny syscalls; through libuv's thread pool each one pays a hand-off that
 * costs several times the syscall (measured 3-10x slower on a busy 2-core
 * runner, and never faster), and free concurrency would bring back the races
 * that make extraction unsafe. The event loop still turns: bodies arrive
 * asynchronously and the loop yields every YIELD_EVERY entries.
 *
 * The one exception is the file pool (file-pool.ts): once a layer has shown
 * it has many (POOL_AFTER), small files whose name is new in a directory this
 * layer created go in batches to two worker threads that make the same
 * synchronous calls, so creating files (the kernel work GNU tar's whole run
 * is made of) runs beside parsing on the other core. Such a file cannot meet
 * anything at its name, and the directories on its path only change through
 * this thread, which first waits for the pool (settle()) before an entry
 * whose name this layer wrote already (a replacement, or a directory to
 * merge), a hardlink to such a name, a whiteout, and the final passes.
 */
import {
  chmodSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { explainWrite } from '../fs/disk-full.js';
import { lstatOrUndefined, RootPathError, RootResolver } from '../fs/root-path.js';
import type { Logger } from '../log.js';
import { cleanEntryPath } from './entry-path.js';
import { ArchiveError, ExtractError, errnoCode, UnsafeEntryError, WhiteoutError } from './errors.js';
import { BATCH_BYTES, FilePool } from './file-pool.js';
import { type Mknod, mknodBinary } from './mknod.js';
import {
  type Creator,
  currentCreator,
  NewFile,
  type NewFileMeta,
  needsChmod,
  needsChown,
} from './new-file.js';
import type { TarHeader } from './tar-format.js';
import { readTar, type TarEntry } from './tar-reader.js';
import { classifyWhiteout, WHITEOUT_PREFIX } from './whiteout.js';
import { isLayerXattr, type XattrAccess, type Xattrs } from './xattr.js';

export interface ExtractOptions {
  /** Where xattrs are written; without it xattrs are skipped and counted. Pass detectXattrs(). */
  xattrs?: XattrAccess;
  /** Apply owners (lchown). Default: when running as root. */
  chown?: boolean;
  /** Create device nodes. Default: when running as root. */
  devices?: boolean;
  /** Makes devices and FIFOs (default: the `mknod` binary). */
  mknod?: Mknod;
  /**
   * Worker threads that create small new files (file-pool.ts). Default: 2
   * when the machine has more than one CPU, else 0 (everything on this thread).
   */
  workers?: number;
  logger?: Logger;
  /**
   * Paths extraction leaves alone (an in-place build's mount points and
   * Kiln's own files): entries at or under them are skipped, whiteouts and
   * opaque directories never remove them, and a directory holding one is
   * never replaced by a non-directory.
   */
  keep?: KeptPathsView;
}

/** What the extractor asks of the kept paths (root-relative paths, as entries are). */
export interface KeptPathsView {
  /** The kept path that is `rel` or one of its ancestors, or undefined. */
  covering(rel: string): string | undefined;
  /** `rel` is a strict ancestor of a kept path. */
  holds(rel: string): boolean;
}

export interface ExtractStats {
  entries: number;
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  fifos: number;
  devices: number;
  whiteouts: number;
  opaques: number;
  /** File data written. */
  bytes: number;
  skipped: {
    /** Entries whose owner was not applied (not root). */
    chown: number;
    /** Device nodes not created (not root). */
    devices: number;
    /** Xattrs not written: not allow-listed, on a type that cannot carry them, or no XattrAccess. */
    xattrs: number;
    /** Entries naming the root directory itself (their metadata is ignored). */
    root: number;
    /** Entries at or under a kept path, or that would replace a directory holding one (ExtractOptions.keep). */
    kept: number;
  };
  /** With ExtractOptions.keep: entries skipped per kept path ('' for "would replace a holder"). */
  keptEntries?: Record<string, number>;
  /** Set when the layer had xattrs that could not be written at all, with the reason. */
  xattrsUnavailable?: string;
}

/** Entries processed between two turns of the event loop. */
const YIELD_EVERY = 128;
/** Files up to this size may go to the file pool. */
const POOL_MAX_FILE = BATCH_BYTES / 4;
/** New files written on this thread before the pool starts (small layers never start it). */
export const POOL_AFTER = 256;

interface DirMeta {
  mode: number;
  mtime: number;
}

function seconds(h: TarHeader): number {
  return h.mtime.sec + h.mtime.nsec / 1e9;
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** Runs op; if the name is taken, removes what is there and runs it once more. */
function replacing<T>(op: () => T, remove: () => void): T {
  try {
    return op();
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw e;
  }
  remove();
  return op();
}

class Extraction {
  readonly stats: ExtractStats = {
    entries: 0,
    files: 0,
    dirs: 0,
    symlinks: 0,
    hardlinks: 0,
    fifos: 0,
    devices: 0,
    whiteouts: 0,
    opaques: 0,
    bytes: 0,
    skipped: { chown: 0, devices: 0, xattrs: 0, root: 0, kept: 0 },
  };
  private readonly resolver: RootResolver;
  /** Root-relative paths this layer wrote, and all their ancestors. */
  private readonly touched = new Set<string>();
  /** Root-relative directories this layer created (so everything in them is in `touched`). */
  private readonly created = new Set<string>();
  private pool: FilePool | undefined;
  private poolable = 0;
  private workers: number;
  /** Absolute paths of directories whose mode and mtime are set in the final pass. */
  private readonly dirMeta = new Map<string, DirMeta>();
  private readonly pendingXattrs = new Map<string, Xattrs>();
  private readonly chown: boolean;
  private readonly devices: boolean;
  private readonly mknod: Mknod;

  constructor(
    root: string,
    private readonly options: ExtractOptions,
    private readonly creator: Creator,
  ) {
    const isRoot = creator.euid === 0;
    this.chown = options.chown ?? isRoot;
    this.devices = options.devices ?? isRoot;
    this.mknod = options.mknod ?? mknodBinary();
    this.workers = options.workers ?? (availableParallelism() > 1 ? 2 : 0);
    const keep = options.keep;
    this.resolver = new RootResolver(
      root,
      (rel) => {
        this.touch(rel);
        this.created.add(rel);
      },
      keep
        ? (rel) => {
            this.refusedBy = keep.covering(rel);
            return this.refusedBy !== undefined ? 'it is kept out of the build' : undefined;
          }
        : undefined,
    );
    // An empty root is like a directory this layer made (unless it hands its group down).
    if ((statSync(root).mode & 0o2000) === 0 && readdirSync(root).length === 0) this.created.add('');
  }

  /** The kept path that last refused a directory the resolver would have created. */
  private refusedBy: string | undefined;

  private countKept(by: string): void {
    this.stats.skipped.kept++;
    this.stats.keptEntries ??= {};
    this.stats.keptEntries[by] = (this.stats.keptEntries[by] ?? 0) + 1;
  }

  /** Whether an entry at `rel` of this type must be left alone; counts it when so. */
  private keptOut(rel: string, type: TarHeader['type'] | 'whiteout'): boolean {
    const keep = this.options.keep;
    if (!keep) return false;
    const by = keep.covering(rel) ?? (type !== 'dir' && keep.holds(rel) ? '' : undefined);
    if (by === undefined) return false;
    this.countKept(by);
    return true;
  }

  // ------------------------------------------------------------ bookkeeping

  private touch(rel: string): void {
    for (let p = rel; p && !this.touched.has(p); ) {
      this.touched.add(p);
      const slash = p.lastIndexOf('/');
      p = slash < 0 ? '' : p.slice(0, slash);
    }
  }

  /** Forgets pending work under a path that went away. */
  private forget(abs: string, wasDirOrLink: boolean): void {
    this.pendingXattrs.delete(abs);
    this.dirMeta.delete(abs);
    if (!wasDirOrLink) return;
    this.resolver.invalidate();
    for (const k of this.pendingXattrs.keys()) if (isUnder(k, abs)) this.pendingXattrs.delete(k);
    for (const k of this.dirMeta.keys()) if (isUnder(k, abs)) this.dirMeta.delete(k);
  }

  /** Removes whatever is at abs (recursively for directories), never following a symlink. */
  private remove(abs: string): void {
    const st = lstatOrUndefined(abs);
    if (!st) return;
    if (st.isDirectory()) rmSync(abs, { recursive: true, force: true });
    else unlinkSync(abs);
    this.forget(abs, st.isDirectory() || st.isSymbolicLink());
  }

  /**
   * Waits until every pooled file is written: before anything that removes,
   * replaces or looks at a path a queued file may still create.
   */
  private async settle(): Promise<void> {
    if (this.pool?.busy) await this.pool.drain();
  }

  private startPool(): FilePool | undefined {
    try {
      return new FilePool(this.workers);
    } catch (e) {
      // No threads to be had (a pids limit, say): everything stays on this thread.
      this.options.logger?.debug(`extracting without the file pool: ${(e as Error).message}`);
      this.workers = 0;
      return undefined;
    }
  }

  /** Waits for the pool's work to settle (whatever happened) and stops its threads. */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  // ------------------------------------------------------------ entries

  async apply(entry: TarEntry): Promise<void> {
    const h = entry.header;
    this.stats.entries++;
    const comps = cleanEntryPath(h.name);
    if (comps.length === 0) {
      await entry.skip();
      if (h.type !== 'dir') {
        throw new UnsafeEntryError(`a ${h.type} entry names the root directory itself`, { entry: h.name });
      }
      this.stats.skipped.root++;
      return;
    }
    const base = comps[comps.length - 1]!;
    const parent = comps.slice(0, -1);
    for (const c of parent) {
      if (c.startsWith(WHITEOUT_PREFIX)) {
        throw new WhiteoutError(`a whiteout name (${JSON.stringify(c)}) is used as a directory`, {
          entry: h.name,
        });
      }
    }
    const wh = classifyWhiteout(base, h.name);
    if (wh.kind !== 'none') {
      await entry.skip();
      if (h.type === 'dir') throw new WhiteoutError('a whiteout must not be a directory', { entry: h.name });
      await this.settle();
      this.guard(h, () => (wh.kind === 'opaque' ? this.opaque(parent) : this.whiteout(parent, wh.name)));
      return;
    }

    let parentRel: string;
    try {
      parentRel = this.resolver.ensureDir(parent);
    } catch (e) {
      if (e instanceof RootPathError && e.code === 'EPERM' && this.options.keep) {
        // Its directory would have to be created inside a kept path (reached through a symlink).
        await entry.skip();
        this.countKept(this.refusedBy ?? '');
        return;
      }
      throw this.wrap(e, h);
    }
    const rel = parentRel ? `${parentRel}/${base}` : base;
    if (this.keptOut(rel, h.type)) {
      await entry.skip();
      return;
    }
    const abs = this.resolver.abs(rel);
    // Written before in this layer: a pooled file may still be on its way there.
    const fresh = !this.touched.has(rel);
    if (!fresh) await this.settle();
    switch (h.type) {
      case 'file':
        await this.file(entry, abs, this.created.has(parentRel), fresh);
        break;
      case 'dir':
        this.guard(h, () => this.dir(rel, this.created.has(parentRel), abs, h));
        break;
      case 'symlink':
        this.guard(h, () => this.symlink(abs, h));
        break;
      case 'hardlink': {
        const target = this.guard(h, () => this.hardlinkTarget(h));
        // The link's target was not extracted (kept out): neither is the link.
        if (target && this.keptOut(target.rel, 'hardlink')) {
          await entry.skip();
          return;
        }
        if (target && this.touched.has(target.rel)) await this.settle();
        this.guard(h, () => this.hardlink(abs, target?.abs, h));
        break;
      }
      case 'fifo':
      case 'char':
      case 'block':
        if (h.type !== 'fifo' && !this.devices) {
          this.stats.skipped.devices++;
          return;
        }
        await this.node(abs, h);
        break;
      default: {
        const never: never = h.type;
        throw new ExtractError(`unhandled entry type ${String(never)}`, { entry: h.name });
      }
    }
    this.touch(rel);
    this.queueXattrs(abs, h);
  }

  /** Runs fs work for an entry; non-archive errors become ExtractErrors naming it. */
  private guard<T>(h: TarHeader, op: () => T): T {
    try {
      return op();
    } catch (e) {
      throw this.wrap(e, h);
    }
  }

  private wrap(e: unknown, h: TarHeader): ArchiveError {
    if (e instanceof ArchiveError) return e;
    const err = explainWrite(e, this.resolver.abs(h.name.replace(/^\/+/, '')));
    return new ExtractError(String((err as Error)?.message ?? err), { entry: h.name, cause: err });
  }

  private queueXattrs(abs: string, h: TarHeader): void {
    const names = Object.keys(h.xattrs);
    if (names.length === 0) return;
    const keep: Xattrs = {};
    for (const n of names) {
      const allowed =
        isLayerXattr(n) &&
        (h.type === 'file' || h.type === 'dir') &&
        (n !== 'security.capability' || (this.creator.euid === 0 && h.type === 'file'));
      if (allowed) keep[n] = h.xattrs[n]!;
      else this.stats.skipped.xattrs++;
    }
    if (Object.keys(keep).length > 0) this.pendingXattrs.set(abs, keep);
    else this.pendingXattrs.delete(abs);
  }

  private applyOwner(h: TarHeader): boolean {
    if (this.chown) return true;
    if (h.uid !== this.creator.euid || h.gid !== this.creator.egid) this.stats.skipped.chown++;
    return false;
  }

  /**
   * A file. `inCreated`: its directory was made by this layer (so it has no
   * setgid bit until the final pass); `fresh`: this layer did not write its
   * name before. Both: nothing can be at its name, and it may be pooled.
   */
  private async file(entry: TarEntry, abs: string, inCreated: boolean, fresh: boolean): Promise<void> {
    const h = entry.header;
    const meta: NewFileMeta = {
      owner: this.applyOwner(h) ? { uid: h.uid, gid: h.gid } : undefined,
      mode: h.mode,
      mtime: seconds(h),
      plainParent: inCreated,
    };
    if (inCreated && fresh && h.size <= POOL_MAX_FILE && this.workers > 0 && ++this.poolable > POOL_AFTER) {
      this.pool ??= this.startPool();
      if (this.pool) return this.pooled(this.pool, entry, abs, meta);
    }
    const f = this.guard(h, () =>
      replacing(
        () => new NewFile(abs, meta, this.creator),
        () => this.remove(abs),
      ),
    );
    try {
      const held = entry.takeHeld();
      if (held) this.guard(h, () => f.write(held));
      else for await (const chunk of entry.chunks()) this.guard(h, () => f.write(chunk));
      this.guard(h, () => f.finish());
    } finally {
      f.close();
    }
    this.stats.files++;
    this.stats.bytes += h.size;
  }

  /** Queues a new file for the pool (see file()); its body is copied into the pool's batch. */
  private async pooled(pool: FilePool, entry: TarEntry, abs: string, meta: NewFileMeta): Promise<void> {
    const h = entry.header;
    const chown = needsChown(meta.owner, this.creator, true);
    const slot = pool.slot(h.size);
    const into = slot instanceof Promise ? await slot : slot;
    const held = entry.takeHeld();
    if (held) held.copy(into);
    else {
      let at = 0;
      for await (const chunk of entry.chunks()) at += chunk.copy(into, at);
    }
    pool.commit({
      path: abs,
      entry: h.name,
      mode: h.mode,
      uid: h.uid,
      gid: h.gid,
      mtime: meta.mtime,
      chown,
      chmod: needsChmod(h.mode, chown, this.creator),
      size: h.size,
    });
    this.stats.files++;
    this.stats.bytes += h.size;
  }

  /** A directory; `inCreated`: its parent was made by this layer (see file()). */
  private dir(rel: string, inCreated: boolean, abs: string, h: TarHeader): void {
    let made = true;
    try {
      mkdirSync(abs, 0o700);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      if (lstatSync(abs).isDirectory()) made = false;
      else {
        this.remove(abs);
        mkdirSync(abs, 0o700);
      }
    }
    if (made) {
      // Under a setgid directory of a lower layer the new one inherits the
      // bit: cleared until the final pass, so that files made in it get the
      // creator's group like in every directory this layer creates.
      if (!inCreated) chmodSync(abs, 0o700);
      this.created.add(rel);
    }
    if (this.applyOwner(h)) lchownSync(abs, h.uid, h.gid);
    this.dirMeta.set(abs, { mode: h.mode, mtime: seconds(h) });
    this.stats.dirs++;
  }

  private symlink(abs: string, h: TarHeader): void {
    replacing(
      () => symlinkSync(h.linkname, abs),
      () => this.remove(abs),
    );
    if (this.applyOwner(h)) lchownSync(abs, h.uid, h.gid);
    const t = seconds(h);
    lutimesSync(abs, t, t);
    this.stats.symlinks++;
  }

  /** Where a hardlink's target is, if its directory exists. */
  private hardlinkTarget(h: TarHeader): { rel: string; abs: string } | undefined {
    const target = cleanEntryPath(h.linkname, 'hardlink target');
    if (target.length === 0)
      throw new UnsafeEntryError('a hardlink to the root directory', { entry: h.name });
    const dir = this.resolver.lookupDir(target.slice(0, -1));
    if (dir === undefined) return undefined;
    const base = target[target.length - 1]!;
    const rel = dir ? `${dir}/${base}` : base;
    return { rel, abs: this.resolver.abs(rel) };
  }

  private hardlink(abs: string, targetAbs: string | undefined, h: TarHeader): void {
    const st = targetAbs === undefined ? undefined : lstatOrUndefined(targetAbs);
    if (!targetAbs || !st) {
      throw new ExtractError(
        `hardlink target ${JSON.stringify(h.linkname)} does not exist in the layer or below`,
        {
          entry: h.name,
        },
      );
    }
    if (st.isDirectory()) {
      throw new UnsafeEntryError(`hardlink target ${JSON.stringify(h.linkname)} is a directory`, {
        entry: h.name,
      });
    }
    this.stats.hardlinks++;
    if (targetAbs === abs) return;
    replacing(
      () => linkSync(targetAbs, abs),
      () => this.remove(abs),
    );
  }

  private async node(abs: string, h: TarHeader): Promise<void> {
    if (h.type !== 'char' && h.type !== 'block' && h.type !== 'fifo') return;
    this.guard(h, () => this.remove(abs));
    try {
      await this.mknod(abs, h.type, h.mode, h.devmajor, h.devminor);
    } catch (e) {
      throw this.wrap(e, h);
    }
    this.guard(h, () => {
      if (this.applyOwner(h)) lchownSync(abs, h.uid, h.gid);
      chmodSync(abs, h.mode); // a node we just made: not a symlink
      const t = seconds(h);
      lutimesSync(abs, t, t);
    });
    if (h.type === 'fifo') this.stats.fifos++;
    else this.stats.devices++;
  }

  // ------------------------------------------------------------ whiteouts

  private whiteout(dir: readonly string[], name: string): void {
    this.stats.whiteouts++;
    const dirRel = this.resolver.lookupDir(dir);
    if (dirRel === undefined) return; // nothing below to hide
    const rel = dirRel ? `${dirRel}/${name}` : name;
    const abs = this.resolver.abs(rel);
    if (this.options.keep?.holds(rel) && lstatOrUndefined(abs)?.isDirectory()) {
      this.clean(rel); // what the kept paths inside it leave
      return;
    }
    if (this.keptOut(rel, 'whiteout')) return;
    if (!this.touched.has(rel)) this.remove(abs);
    // This layer put something there: keep it, drop only what lower layers had below it.
    else if (lstatOrUndefined(abs)?.isDirectory()) this.clean(rel);
  }

  private opaque(dir: readonly string[]): void {
    this.stats.opaques++;
    const dirRel = this.resolver.lookupDir(dir);
    if (dirRel !== undefined) this.clean(dirRel);
  }

  /** Removes everything under a directory that this layer did not write (kept paths stay). */
  private clean(dirRel: string): void {
    const keep = this.options.keep;
    for (const n of readdirSync(this.resolver.abs(dirRel))) {
      const rel = dirRel ? `${dirRel}/${n}` : n;
      const abs = this.resolver.abs(rel);
      if (keep?.covering(rel) !== undefined) continue;
      if (keep?.holds(rel) && lstatSync(abs).isDirectory()) this.clean(rel);
      else if (!this.touched.has(rel)) this.remove(abs);
      else if (lstatSync(abs).isDirectory()) this.clean(rel);
    }
  }

  // ------------------------------------------------------------ final passes

  /**
   * Belt and braces for the deferred work: a recorded path must still be what
   * it was, a real directory chain inside the root (replaced paths are
   * forgotten, so this never fails unless that bookkeeping has a bug).
   */
  private stillInside(abs: string): boolean {
    const dir = abs.slice(0, abs.lastIndexOf('/')) || '/';
    try {
      return realpathSync(dir) === dir && isUnder(dir, this.resolver.root);
    } catch {
      return false;
    }
  }

  async finish(): Promise<void> {
    await this.settle();
    if (this.pendingXattrs.size > 0) {
      const access = this.options.xattrs;
      const items = [...this.pendingXattrs]
        .filter(([path]) => {
          const st = this.stillInside(path) ? lstatOrUndefined(path) : undefined;
          return st !== undefined && (st.isFile() || st.isDirectory());
        })
        .map(([path, xattrs]) => ({ path, xattrs }));
      const count = items.reduce((n, x) => n + Object.keys(x.xattrs).length, 0);
      if (!access || access.unavailable) {
        this.stats.skipped.xattrs += count;
        this.stats.xattrsUnavailable = access?.unavailable ?? 'no XattrAccess was given to the extractor';
        this.options.logger?.warn(
          `${count} extended attribute(s) not restored: ${this.stats.xattrsUnavailable}`,
        );
      } else await access.write(items);
    }
    // Deepest first, so a directory without owner write/execute bits does not block its children.
    const dirs = [...this.dirMeta.keys()].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    for (const abs of dirs) {
      const m = this.dirMeta.get(abs)!;
      if (!this.stillInside(abs) || !lstatOrUndefined(abs)?.isDirectory()) continue;
      chmodSync(abs, m.mode);
      lutimesSync(abs, m.mtime, m.mtime);
    }
  }
}

/**
 * Applies one uncompressed layer tar to `rootfs` (which must exist). See the
 * module comment for the guarantees. Throws TarFormatError, UnsafeEntryError,
 * WhiteoutError or ExtractError naming the entry.
 */
export async function extractLayer(
  tar: Readable,
  rootfs: string,
  options: ExtractOptions = {},
): Promise<ExtractStats> {
  const root = await realpath(rootfs);
  if (!(await lstat(root)).isDirectory()) throw new ExtractError(`the rootfs ${rootfs} is not a directory`);
  const x = new Extraction(root, options, await currentCreator());
  try {
    let n = 0;
    for await (const entry of readTar(tar)) {
      await x.apply(entry);
      if (++n % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    }
    await x.finish();
  } finally {
    await x.close();
  }
  return x.stats;
}
