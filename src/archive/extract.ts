/**
 * Safe extraction of one layer tar into a rootfs. Every write stays inside
 * the rootfs whatever the tar says:
 * - names are cleaned lexically and a `..` that climbs above the root is
 *   rejected; absolute names are taken relative to the root;
 * - parent directories are resolved with RootResolver (symlinks followed
 *   inside the root only); the leaf itself is never followed: a non-directory
 *   entry replaces whatever is there (created with O_EXCL|O_NOFOLLOW), a
 *   directory entry replaces a non-directory and keeps an existing directory;
 * - hardlink targets are resolved the same way and must be inside;
 * - whiteouts delete what lower layers put there, never what this layer adds
 *   (so their order in the tar does not matter); malformed ones are rejected.
 * Metadata: owners (when allowed, i.e. root), modes with setuid/setgid/sticky
 * (after chown, which clears them), mtimes (directories in a final pass),
 * allow-listed xattrs in one batch at the end, devices only when allowed.
 *
 * Speed: small files are written concurrently (bounded) while the tar is
 * parsed; a file write is only started when its target is known not to
 * exist, and anything that removes or links waits for the writes it could
 * race with. Bodies are never buffered beyond SMALL_FILE bytes.
 */
import { constants } from 'node:fs';
import {
  chmod,
  type FileHandle,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  realpath,
  rm,
  symlink,
  unlink,
} from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Logger } from '../log.js';
import { cleanEntryPath } from './entry-path.js';
import { ArchiveError, ExtractError, errnoCode, UnsafeEntryError, WhiteoutError } from './errors.js';
import { type Mknod, mknodBinary } from './mknod.js';
import { RootResolver } from './root-resolver.js';
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
  /** Concurrent small-file writes (default 16). */
  concurrency?: number;
  logger?: Logger;
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
  };
  /** Set when the layer had xattrs that could not be written at all, with the reason. */
  xattrsUnavailable?: string;
}

/** Files up to this size are read whole and written concurrently; larger ones are streamed. */
const SMALL_FILE = 1 << 20;

interface DirMeta {
  mode: number;
  mtime: number;
}

function seconds(h: TarHeader): number {
  return h.mtime.sec + h.mtime.nsec / 1e9;
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
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
    skipped: { chown: 0, devices: 0, xattrs: 0, root: 0 },
  };
  private readonly resolver: RootResolver;
  private readonly inflight = new Map<string, Promise<void>>();
  private failure: unknown;
  /** Root-relative paths this layer wrote, and all their ancestors. */
  private readonly touched = new Set<string>();
  /** Directories created empty by this extraction: a new name in one of them cannot exist yet. */
  private readonly fresh = new Set<string>();
  private readonly dirMeta = new Map<string, DirMeta>();
  private readonly pendingXattrs = new Map<string, Xattrs>();
  private readonly uid = process.getuid?.() ?? -1;
  private readonly gid = process.getgid?.() ?? -1;
  private readonly chown: boolean;
  private readonly devices: boolean;
  private readonly mknod: Mknod;
  private readonly concurrency: number;

  constructor(
    root: string,
    private readonly options: ExtractOptions,
  ) {
    const isRoot = this.uid === 0;
    this.chown = options.chown ?? isRoot;
    this.devices = options.devices ?? isRoot;
    this.mknod = options.mknod ?? mknodBinary();
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.resolver = new RootResolver(
      root,
      (abs) => this.waitFor(abs),
      (rel) => {
        this.fresh.add(rel);
        this.touch(rel);
      },
    );
  }

  // ------------------------------------------------------------ concurrency

  private async waitFor(abs: string): Promise<void> {
    const p = this.inflight.get(abs);
    if (p) await p;
  }

  private async launch(abs: string, entry: string, op: () => Promise<void>): Promise<void> {
    while (this.inflight.size >= this.concurrency) await Promise.race(this.inflight.values());
    this.check();
    const p: Promise<void> = op()
      .catch((e) => {
        this.failure ??=
          e instanceof ArchiveError ? e : new ExtractError(String(e?.message ?? e), { entry, cause: e });
      })
      .finally(() => {
        if (this.inflight.get(abs) === p) this.inflight.delete(abs);
      });
    this.inflight.set(abs, p);
  }

  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all(this.inflight.values());
    this.check();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  // ------------------------------------------------------------ bookkeeping

  private touch(rel: string): void {
    for (let p = rel; p && !this.touched.has(p); ) {
      this.touched.add(p);
      const slash = p.lastIndexOf('/');
      p = slash < 0 ? '' : p.slice(0, slash);
    }
  }

  /** Forgets pending work under a path that is going away. */
  private forget(abs: string, rel: string, wasDirOrLink: boolean): void {
    this.pendingXattrs.delete(abs);
    this.dirMeta.delete(abs);
    this.fresh.delete(rel);
    if (!wasDirOrLink) return;
    this.resolver.invalidate();
    for (const k of this.pendingXattrs.keys()) if (isUnder(k, abs)) this.pendingXattrs.delete(k);
    for (const k of this.dirMeta.keys()) if (isUnder(k, abs)) this.dirMeta.delete(k);
    for (const k of this.fresh) if (isUnder(k, rel)) this.fresh.delete(k);
  }

  /** Removes whatever is at abs (recursively for directories), never following a symlink. */
  private async remove(abs: string, rel: string, entry: string): Promise<boolean> {
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(abs);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return false;
      throw new ExtractError(`cannot inspect ${rel}: ${String(e)}`, { entry, cause: e });
    }
    const dir = st.isDirectory();
    try {
      if (dir) {
        await this.drain(); // no write may be running inside it
        await rm(abs, { recursive: true, force: true });
      } else await unlink(abs);
    } catch (e) {
      throw new ExtractError(`cannot remove ${rel}: ${String(e)}`, { entry, cause: e });
    }
    this.forget(abs, rel, dir || st.isSymbolicLink());
    return true;
  }

  /** Makes sure nothing is at abs: free when its parent is fresh and this layer has not used the name. */
  private async clear(abs: string, rel: string, parentRel: string, entry: string): Promise<void> {
    await this.waitFor(abs);
    if (this.fresh.has(parentRel) && !this.touched.has(rel)) return;
    await this.remove(abs, rel, entry);
  }

  // ------------------------------------------------------------ entries

  async apply(entry: TarEntry): Promise<void> {
    this.check();
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
      await this.drain();
      if (wh.kind === 'opaque') await this.opaque(parent, h.name);
      else await this.whiteout(parent, wh.name, h.name);
      return;
    }

    const parentRel = await this.resolver.ensureDir(parent, h.name);
    const rel = parentRel ? `${parentRel}/${base}` : base;
    const abs = this.resolver.abs(rel);
    try {
      switch (h.type) {
        case 'dir':
          await this.dir(abs, rel, h);
          break;
        case 'file':
          await this.clear(abs, rel, parentRel, h.name);
          await this.file(entry, abs);
          break;
        case 'symlink':
          await this.clear(abs, rel, parentRel, h.name);
          await this.launch(abs, h.name, () => this.symlink(abs, h));
          break;
        case 'hardlink':
          await this.hardlink(abs, rel, parentRel, h);
          break;
        case 'fifo':
        case 'char':
        case 'block':
          if (h.type !== 'fifo' && !this.devices) {
            this.stats.skipped.devices++;
            return;
          }
          await this.clear(abs, rel, parentRel, h.name);
          await this.node(abs, h);
          break;
        default: {
          const never: never = h.type;
          throw new ExtractError(`unhandled entry type ${String(never)}`, { entry: h.name });
        }
      }
    } catch (e) {
      if (e instanceof ArchiveError) throw e;
      throw new ExtractError(String((e as Error)?.message ?? e), { entry: h.name, cause: e });
    }
    this.touch(rel);
    this.queueXattrs(abs, h);
  }

  private queueXattrs(abs: string, h: TarHeader): void {
    const names = Object.keys(h.xattrs);
    if (names.length === 0) return;
    const keep: Xattrs = {};
    for (const n of names) {
      const allowed =
        isLayerXattr(n) &&
        (h.type === 'file' || h.type === 'dir') &&
        (n !== 'security.capability' || (this.uid === 0 && h.type === 'file'));
      if (allowed) keep[n] = h.xattrs[n]!;
      else this.stats.skipped.xattrs++;
    }
    if (Object.keys(keep).length > 0) this.pendingXattrs.set(abs, keep);
    else this.pendingXattrs.delete(abs);
  }

  private countChown(h: TarHeader): boolean {
    if (this.chown) return true;
    if (h.uid !== this.uid || h.gid !== this.gid) this.stats.skipped.chown++;
    return false;
  }

  private async dir(abs: string, rel: string, h: TarHeader): Promise<void> {
    await this.waitFor(abs);
    let made = false;
    try {
      await mkdir(abs, 0o700);
      made = true;
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      const st = await lstat(abs);
      if (!st.isDirectory()) {
        await this.remove(abs, rel, h.name);
        await mkdir(abs, 0o700);
        made = true;
      }
    }
    if (made) this.fresh.add(rel);
    if (this.countChown(h)) await lchown(abs, h.uid, h.gid);
    this.dirMeta.set(abs, { mode: h.mode, mtime: seconds(h) });
    this.stats.dirs++;
  }

  private async file(entry: TarEntry, abs: string): Promise<void> {
    const h = entry.header;
    this.stats.files++;
    this.stats.bytes += h.size;
    const chown = this.countChown(h);
    const finish = async (fh: FileHandle) => {
      if (chown) await fh.chown(h.uid, h.gid);
      await fh.chmod(h.mode);
      const t = seconds(h);
      await fh.utimes(t, t);
    };
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    if (h.size <= SMALL_FILE) {
      const data = await entry.buffer();
      await this.launch(abs, h.name, async () => {
        const fh = await open(abs, flags, 0o600);
        try {
          for (let off = 0; off < data.length; )
            off += (await fh.write(data, off, data.length - off)).bytesWritten;
          await finish(fh);
        } finally {
          await fh.close();
        }
      });
      return;
    }
    const fh = await open(abs, flags, 0o600);
    try {
      let batch: Buffer[] = [];
      let batchBytes = 0;
      const flush = async () => {
        while (batch.length > 0) {
          const { bytesWritten } = await fh.writev(batch);
          batch = skipBytes(batch, bytesWritten);
        }
        batchBytes = 0;
      };
      for await (const chunk of entry.chunks()) {
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes >= SMALL_FILE) await flush();
      }
      await flush();
      await finish(fh);
    } finally {
      await fh.close();
    }
  }

  private async symlink(abs: string, h: TarHeader): Promise<void> {
    await symlink(h.linkname, abs);
    if (this.countChown(h)) await lchown(abs, h.uid, h.gid);
    const t = seconds(h);
    await lutimes(abs, t, t);
    this.stats.symlinks++;
  }

  private async hardlink(abs: string, rel: string, parentRel: string, h: TarHeader): Promise<void> {
    const target = cleanEntryPath(h.linkname, 'hardlink target');
    if (target.length === 0)
      throw new UnsafeEntryError('a hardlink to the root directory', { entry: h.name });
    const dir = await this.resolver.lookupDir(target.slice(0, -1), h.name);
    const targetBase = target[target.length - 1]!;
    const targetRel = dir === undefined ? undefined : dir ? `${dir}/${targetBase}` : targetBase;
    const targetAbs = targetRel === undefined ? undefined : this.resolver.abs(targetRel);
    if (targetAbs) await this.waitFor(targetAbs);
    const st = targetAbs ? await lstat(targetAbs).catch(() => undefined) : undefined;
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
    await this.clear(abs, rel, parentRel, h.name);
    await link(targetAbs, abs);
  }

  private async node(abs: string, h: TarHeader): Promise<void> {
    if (h.type === 'char' || h.type === 'block' || h.type === 'fifo') {
      await this.mknod(abs, h.type, h.mode, h.devmajor, h.devminor);
    }
    if (this.countChown(h)) await lchown(abs, h.uid, h.gid);
    await chmod(abs, h.mode); // a node we just made: not a symlink
    const t = seconds(h);
    await lutimes(abs, t, t);
    if (h.type === 'fifo') this.stats.fifos++;
    else this.stats.devices++;
  }

  // ------------------------------------------------------------ whiteouts

  private async whiteout(dir: readonly string[], name: string, entry: string): Promise<void> {
    this.stats.whiteouts++;
    const dirRel = await this.resolver.lookupDir(dir, entry);
    if (dirRel === undefined) return; // nothing below to hide
    const rel = dirRel ? `${dirRel}/${name}` : name;
    const abs = this.resolver.abs(rel);
    if (!this.touched.has(rel)) {
      await this.remove(abs, rel, entry);
      return;
    }
    // This layer put something there: keep it, drop only what lower layers had below it.
    const st = await lstat(abs).catch(() => undefined);
    if (st?.isDirectory()) await this.clean(rel, entry);
  }

  private async opaque(dir: readonly string[], entry: string): Promise<void> {
    this.stats.opaques++;
    const dirRel = await this.resolver.lookupDir(dir, entry);
    if (dirRel === undefined) return;
    await this.clean(dirRel, entry);
  }

  /** Removes everything under a directory that this layer did not write. */
  private async clean(dirRel: string, entry: string): Promise<void> {
    const abs = this.resolver.abs(dirRel);
    const names = await readdir(abs);
    for (const n of names) {
      const rel = dirRel ? `${dirRel}/${n}` : n;
      if (!this.touched.has(rel)) await this.remove(this.resolver.abs(rel), rel, entry);
      else if ((await lstat(this.resolver.abs(rel))).isDirectory()) await this.clean(rel, entry);
    }
  }

  // ------------------------------------------------------------ final passes

  async finish(): Promise<void> {
    await this.drain();
    if (this.pendingXattrs.size > 0) {
      const access = this.options.xattrs;
      const count = [...this.pendingXattrs.values()].reduce((n, x) => n + Object.keys(x).length, 0);
      if (!access || access.unavailable) {
        this.stats.skipped.xattrs += count;
        this.stats.xattrsUnavailable = access?.unavailable ?? 'no XattrAccess was given to the extractor';
        this.options.logger?.warn(
          `${count} extended attribute(s) not restored: ${this.stats.xattrsUnavailable}`,
        );
      } else {
        const items = [...this.pendingXattrs].map(([path, xattrs]) => ({ path, xattrs }));
        await access.write(items);
      }
    }
    // Deepest first, so a directory without owner write/execute bits does not block its children.
    const dirs = [...this.dirMeta.keys()].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    for (const abs of dirs) {
      const m = this.dirMeta.get(abs)!;
      const st = await lstat(abs);
      if (!st.isDirectory()) continue; // cannot happen: replaced paths are forgotten
      await chmod(abs, m.mode);
      await lutimes(abs, m.mtime, m.mtime);
    }
  }
}

function skipBytes(bufs: Buffer[], n: number): Buffer[] {
  let left = n;
  const out: Buffer[] = [];
  for (const b of bufs) {
    if (left >= b.length) left -= b.length;
    else {
      out.push(left > 0 ? b.subarray(left) : b);
      left = 0;
    }
  }
  return out;
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
  const st = await lstat(root);
  if (!st.isDirectory()) throw new ExtractError(`the rootfs ${rootfs} is not a directory`);
  const x = new Extraction(root, options);
  const entries = readTar(tar);
  try {
    for await (const entry of entries) await x.apply(entry);
    await x.finish();
  } catch (e) {
    await x.drain().catch(() => undefined);
    throw e;
  }
  return x.stats;
}
