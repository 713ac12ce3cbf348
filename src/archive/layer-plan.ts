/**
 * Plans a layer: which tar entries, in which order, with which metadata.
 * Entries are sorted component-wise by path (BuildKit's order); every
 * ancestor directory of an added or deleted path is included with its
 * metadata (as Docker/BuildKit do); deletions become `.wh.<name>`, opaque
 * directories get `.wh..wh..opq` right after the directory entry; regular
 * files that share an inode become hardlinks to the first path in order.
 */
import { type BigIntStats, lstatSync } from 'node:fs';
import { osPath, readlinkName } from '../fs/byte-names.js';
import { layerSortKey } from './entry-path.js';
import { errnoCode, LayerWriteError } from './errors.js';
import type { TarEntryType, Timespec } from './tar-format.js';
import type { TarWriteHeader } from './tar-writer.js';
import { OPAQUE_WHITEOUT, whiteoutName } from './whiteout.js';
import { isLayerXattr, type XattrAccess, type Xattrs } from './xattr.js';

/** Metadata that replaces what the source file says (COPY --chown/--chmod, fixed times). */
export interface MetadataOverride {
  uid?: number;
  gid?: number;
  /** Permission bits (incl. setuid/setgid/sticky). */
  mode?: number;
  /** Seconds since the epoch. */
  mtime?: number;
}

/**
 * One thing a layer holds. `add`: the file, directory, symlink, device or
 * FIFO at `source` (lstat'ed, never followed) appears at `path`, with
 * optional overrides. `dir`: a directory that exists nowhere on disk.
 * `delete` and `opaque`: whiteouts. Paths are layer paths (`usr/bin/tool`).
 */
export type LayerEntry =
  | ({ kind: 'add'; path: string; source: string } & MetadataOverride)
  | { kind: 'dir'; path: string; uid: number; gid: number; mode: number; mtime: number }
  | { kind: 'delete'; path: string }
  | { kind: 'opaque'; path: string };

export interface LayerPlanOptions {
  /** Entries newer than this (seconds) get this mtime (--reproducible, SOURCE_DATE_EPOCH). */
  clampMtime?: number;
  /** Keep sub-second mtimes in PAX records. Default false: truncate to seconds, as BuildKit does. */
  subsecondMtimes?: boolean;
  /** Reads the xattrs to store (allow-list: security.capability, user.*). Without it none are stored. */
  xattrs?: XattrAccess;
  /**
   * Where ancestor directories that are not entries take their metadata:
   * `<parentRoot>/<dir>` is lstat'ed. Missing there (or no parentRoot):
   * root-owned 0755 with mtime 0.
   */
  parentRoot?: string;
  /**
   * Leave out ancestor directories that are not entries (a layer without
   * them applies the same way; used when their metadata is not known).
   */
  omitParents?: boolean;
}

export interface PlannedEntry {
  header: TarWriteHeader;
  /** For 'file' entries that carry data: the file to read, `header.size` bytes. */
  source?: string;
}

interface Stated extends PlannedEntry {
  /** What made it: whiteouts are not paths of the layer. */
  whiteout: boolean;
  /** The path lstat'ed (xattrs are read there). */
  origin?: string;
  /** dev:ino (+ overrides) of regular files with more than one link. */
  inode?: string;
}

interface Item {
  path: string;
  key: Buffer;
  /** Orders items with the same key: whiteout, then the entry, then an opaque marker. */
  rank: number;
  what: 'whiteout' | 'opaque' | 'add' | 'dir' | 'parent';
  source?: string;
  override?: MetadataOverride;
  dirMeta?: { uid: number; gid: number; mode: number; mtime: number };
}

function cleanPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new LayerWriteError('layer paths must not contain ".."', { entry: path });
  return parts.join('/');
}

function parentsOf(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

function typeOf(mode: bigint): TarEntryType | 'socket' | undefined {
  switch (Number(mode) & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    case 0o020000:
      return 'char';
    case 0o060000:
      return 'block';
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    default:
      return undefined;
  }
}

/** Linux dev_t → major/minor (glibc's gnu_dev_major/minor). */
function devParts(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/** Entries stat'ed between two turns of the event loop. */
const YIELD_EVERY = 256;

/**
 * Maps items with a synchronous fn, letting the event loop turn every
 * YIELD_EVERY items. lstat/readlink are synchronous on purpose: through the
 * thread pool each costs several times the syscall (see extract.ts).
 */
async function mapYielding<T, R>(items: readonly T[], fn: (t: T) => R): Promise<R[]> {
  const out = new Array<R>(items.length);
  for (let i = 0; i < items.length; i++) {
    out[i] = fn(items[i]!);
    if ((i + 1) % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
  }
  return out;
}

/** Plans the tar entries of a layer; see the module comment. */
export async function planLayer(
  entries: readonly LayerEntry[],
  options: LayerPlanOptions = {},
): Promise<PlannedEntry[]> {
  const byPath = new Map<string, Item>();
  const whiteouts = new Map<string, Item>();
  const opaques = new Map<string, Item>();
  for (const e of entries) {
    const path = cleanPath(e.path);
    if (path === '') continue; // the root itself is never an entry
    const key = layerSortKey(path);
    if (e.kind === 'delete') whiteouts.set(path, { path, key, rank: 0, what: 'whiteout' });
    else if (e.kind === 'opaque') {
      opaques.set(path, { path, key: Buffer.concat([key, Buffer.from([0, 0])]), rank: 2, what: 'opaque' });
    } else if (e.kind === 'dir') {
      byPath.set(path, { path, key, rank: 1, what: 'dir', dirMeta: e });
    } else {
      const { uid, gid, mode, mtime } = e;
      byPath.set(path, {
        path,
        key,
        rank: 1,
        what: 'add',
        source: e.source,
        override: { uid, gid, mode, mtime },
      });
    }
  }
  for (const path of options.omitParents ? [] : [...byPath.keys(), ...whiteouts.keys(), ...opaques.keys()]) {
    const ancestors = parentsOf(path);
    if (opaques.has(path)) ancestors.push(path);
    for (const dir of ancestors) {
      if (!byPath.has(dir)) byPath.set(dir, { path: dir, key: layerSortKey(dir), rank: 1, what: 'parent' });
    }
  }
  const items = [...byPath.values(), ...whiteouts.values(), ...opaques.values()].sort(
    (a, b) => Buffer.compare(a.key, b.key) || a.rank - b.rank,
  );

  const clamp = options.clampMtime;
  const finalTime = (t: Timespec): Timespec => {
    const u = options.subsecondMtimes ? t : { sec: t.sec, nsec: 0 };
    return clamp !== undefined && (u.sec > clamp || (u.sec === clamp && u.nsec > 0))
      ? { sec: clamp, nsec: 0 }
      : u;
  };
  const fromSeconds = (s: number): Timespec => {
    const sec = Math.floor(s);
    return finalTime({ sec, nsec: Math.min(999_999_999, Math.round((s - sec) * 1e9)) });
  };
  const fromNs = (ns: bigint): Timespec => {
    let sec = ns / 1_000_000_000n;
    let nsec = ns % 1_000_000_000n;
    if (nsec < 0n) {
      sec -= 1n;
      nsec += 1_000_000_000n;
    }
    return finalTime({ sec: Number(sec), nsec: Number(nsec) });
  };

  // Stat every source and parent.
  const planned = await mapYielding(items, (item): Stated | undefined => {
    if (item.what === 'whiteout' || item.what === 'opaque') {
      const slash = item.path.lastIndexOf('/');
      const dir = slash < 0 ? '' : item.path.slice(0, slash + 1);
      const base = item.what === 'opaque' ? OPAQUE_WHITEOUT : whiteoutName(item.path.slice(slash + 1));
      const name = item.what === 'opaque' ? `${item.path}/${base}` : `${dir}${base}`;
      const header: TarWriteHeader = {
        name,
        type: 'file',
        mode: 0,
        uid: 0,
        gid: 0,
        size: 0,
        mtime: fromSeconds(0),
      };
      return { header, whiteout: true };
    }
    if (item.what === 'dir' || (item.what === 'parent' && !options.parentRoot)) {
      const m = item.dirMeta ?? { uid: 0, gid: 0, mode: 0o755, mtime: 0 };
      const header: TarWriteHeader = {
        name: item.path,
        type: 'dir',
        mode: m.mode,
        uid: m.uid,
        gid: m.gid,
        mtime: fromSeconds(m.mtime),
      };
      return { header, whiteout: false };
    }
    const source = item.what === 'add' ? item.source! : `${options.parentRoot}/${item.path}`;
    let st: BigIntStats;
    try {
      st = lstatSync(osPath(source), { bigint: true });
    } catch (e) {
      if (item.what === 'parent' && errnoCode(e) === 'ENOENT') {
        const header: TarWriteHeader = {
          name: item.path,
          type: 'dir',
          mode: 0o755,
          uid: 0,
          gid: 0,
          mtime: fromSeconds(0),
        };
        return { header, whiteout: false };
      }
      throw new LayerWriteError(`cannot read ${source}: ${String(e)}`, { entry: item.path, cause: e });
    }
    const type = typeOf(st.mode);
    if (type === 'socket') return undefined; // sockets never go into layers (as Docker)
    if (!type) throw new LayerWriteError(`unsupported file type at ${source}`, { entry: item.path });
    if (item.what === 'parent' && type !== 'dir') {
      throw new LayerWriteError(`${source} must be a directory: it is the parent of layer entries`, {
        entry: item.path,
      });
    }
    const o = item.override ?? {};
    const header: TarWriteHeader = {
      name: item.path,
      type,
      mode: o.mode ?? Number(st.mode) & 0o7777,
      uid: o.uid ?? Number(st.uid),
      gid: o.gid ?? Number(st.gid),
      mtime: o.mtime !== undefined ? fromSeconds(o.mtime) : fromNs(st.mtimeNs),
    };
    if (type === 'file') header.size = Number(st.size);
    if (type === 'symlink') header.linkname = readlinkName(source);
    if (type === 'char' || type === 'block') {
      const { major, minor } = devParts(st.rdev);
      header.devmajor = major;
      header.devminor = minor;
    }
    const entry: Stated = { header, whiteout: false, origin: source };
    if (type === 'file') {
      entry.source = source;
      if (st.nlink > 1n) entry.inode = `${st.dev}:${st.ino}:${o.uid}:${o.gid}:${o.mode}:${o.mtime}`;
    }
    return entry;
  });

  // Every ancestor of an entry must be a directory in the layer.
  const types = new Map<string, TarEntryType>();
  const out: PlannedEntry[] = [];
  const firstOfInode = new Map<string, string>();
  const xattrTargets = new Map<string, TarWriteHeader>();
  for (const p of planned) {
    if (!p) continue;
    const path = p.header.name;
    for (const dir of parentsOf(path)) {
      const t = types.get(dir);
      if (t !== undefined && t !== 'dir') {
        throw new LayerWriteError(`${dir} is a ${t} in this layer, so nothing can be below it`, {
          entry: path,
        });
      }
    }
    if (!p.whiteout) types.set(path, p.header.type);
    if (p.inode !== undefined) {
      const first = firstOfInode.get(p.inode);
      if (first !== undefined) {
        out.push({ header: { ...p.header, type: 'hardlink', linkname: first, size: 0 } });
        continue;
      }
      firstOfInode.set(p.inode, path);
    }
    if (p.origin && (p.header.type === 'file' || p.header.type === 'dir'))
      xattrTargets.set(p.origin, p.header);
    out.push(p.source ? { header: p.header, source: p.source } : { header: p.header });
  }

  // Xattrs of files and directories, read in one batch.
  if (options.xattrs && !options.xattrs.unavailable && xattrTargets.size > 0) {
    const found = await options.xattrs.read([...xattrTargets.keys()]);
    for (const [origin, attrs] of found) {
      const header = xattrTargets.get(origin);
      if (!header) continue;
      const keep: Xattrs = {};
      for (const [k, v] of Object.entries(attrs)) if (isLayerXattr(k)) keep[k] = v;
      if (Object.keys(keep).length > 0) header.xattrs = keep;
    }
  }
  return out;
}
