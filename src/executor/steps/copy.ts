/**
 * COPY and ADD (local sources) into a stage's root filesystem, with
 * BuildKit's rules: a directory source copies its contents; a file goes to
 * `dest` itself unless `dest` ends in `/`, is an existing directory, or
 * several sources are copied; parents are created (owned by --chown);
 * content keeps its mode and mtime unless --chmod; owner is 0:0 unless
 * --chown; symlinks below a source are copied as symlinks; hardlinks stay
 * hardlinks only between files of one directory source (each source is
 * copied on its own, as BuildKit does: `COPY a a-hard /d/` gives two files).
 * Names are byte-exact (fs/byte-names.ts): every call takes osPath(). Every
 * write goes through in-root resolution, so a
 * symlink in the image can never send a file outside the root filesystem.
 * Returns the rootfs-relative paths written, for the layer.
 *
 * Per-entry work uses synchronous calls (as extract.ts, for the same reason:
 * each entry is a handful of tiny syscalls and a thread-pool hand-off costs
 * more than the call) and directories resolved or created by this COPY are
 * remembered, so a 30,000-file tree costs one resolution per directory, not
 * per file. The event loop turns every YIELD_EVERY entries.
 */
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
  rmSync,
  type Stats,
  symlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { IgnoreMatcher, parseDockerignore } from '../../dockerfile/dockerignore.js';
import { osPath } from '../../fs/byte-names.js';
import { explainWrite } from '../../fs/disk-full.js';
import { lstatOrUndefined, mkdirInRoot, resolveInRoot } from '../../fs/root-path.js';
import { canChown, type Owner } from './owned-layer.js';
import type { SourceMatch, SourceTree } from './source-tree.js';

export class CopyError extends Error {
  override name = 'CopyError';
}

export interface CopySource {
  tree: SourceTree;
  match: SourceMatch;
}

export interface CopyRequest {
  rootfs: string;
  /** Absolute in-image destination (WORKDIR applied); a trailing `/` marks a directory. */
  dest: string;
  sources: CopySource[];
  /** Heredoc sources: files named `name` with this content. */
  contents: { name: string; data: string }[];
  /** --chown, resolved; default 0:0; 'preserve' keeps the source's (COPY --from, extracted ADD archives). */
  owner?: Owner | 'preserve';
  /** With 'preserve': the owner of directories the copy creates (ADD --chown's destination); default 0:0. */
  createdDirOwner?: Owner;
  /** --chmod, parsed; applies to every file and directory copied. */
  mode?: number;
  /** --exclude patterns (.dockerignore syntax), matched below each source. */
  exclude: string[];
  /** --parents: keep each source's path relative to the tree root. */
  parents: boolean;
  /** Why nothing may be written at a rootfs-relative path (StageRoot.refuseWrite); undefined allows it. */
  refuse?: (rel: string) => string | undefined;
  /** Told which special files (sockets, FIFOs, devices) were left out, once per COPY. */
  warn?: (message: string) => void;
}

const ROOT_OWNER: Owner = { uid: 0, gid: 0 };

/** Parses --chmod: octal (`755`, `0644`). */
export function parseChmod(text: string): number {
  if (!/^[0-7]{3,4}$/.test(text)) {
    throw new CopyError(`invalid --chmod "${text}": use an octal mode such as 755 or 0644`);
  }
  return Number.parseInt(text, 8);
}

interface Writer {
  req: CopyRequest;
  owner: Owner | 'preserve';
  written: Map<string, Owner>;
  /** source ino → written dest rel, for hardlinks within the source being copied. */
  links: Map<string, string>;
  /** directories whose mtime must be set after their children. */
  dirTimes: { abs: string; stat: Stats }[];
  exclude?: IgnoreMatcher;
  /** Owners are applied on disk only as root (the layer carries them either way). */
  chown: boolean;
  /** In-image directory → its resolved rootfs-relative path, for directories this COPY resolved. */
  dirs: Map<string, string>;
  /** Rootfs-relative directories this COPY created where nothing was: their children are new. */
  fresh: Set<string>;
  /** Read buffer for small files. */
  buf: Buffer;
  /** Entries written since the event loop last turned. */
  sinceYield: number;
  /** Special files left out: `path (kind)`, paths relative to the tree they are in. */
  skipped: string[];
  /** The tree they are in (`build context`, `stage "build"`). */
  skippedIn?: string;
}

/** Entries copied between two turns of the event loop. */
const YIELD_EVERY = 256;
/** Files up to this size are copied through one buffer with descriptor-based metadata calls. */
const SMALL = 1 << 20;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export async function copyIntoRootfs(req: CopyRequest): Promise<Map<string, Owner>> {
  try {
    return await copyInto(req);
  } catch (e) {
    throw explainWrite(e, req.rootfs);
  }
}

async function copyInto(req: CopyRequest): Promise<Map<string, Owner>> {
  const w: Writer = {
    req,
    owner: req.owner ?? ROOT_OWNER,
    written: new Map(),
    links: new Map(),
    dirTimes: [],
    chown: canChown(),
    dirs: new Map(),
    fresh: new Set(),
    buf: Buffer.allocUnsafe(SMALL + 1),
    sinceYield: 0,
    skipped: [],
    exclude: req.exclude.length
      ? new IgnoreMatcher(parseDockerignore(req.exclude.join('\n')), '--exclude')
      : undefined,
  };
  const count = req.sources.length + req.contents.length;
  const destDir = req.dest.endsWith('/') || count > 1 || req.parents;
  for (const { tree, match } of req.sources) {
    if (w.exclude?.matches(match.matched)) continue;
    w.links = new Map();
    const base = req.parents ? path.posix.join(req.dest, path.posix.dirname(match.matched)) : req.dest;
    if (match.stat.isDirectory()) {
      const into = req.parents && match.matched ? path.posix.join(req.dest, match.matched) : base;
      // The destination directory is created 0755 (owned by --chown) or left as it is: a
      // directory source gives only its contents, never its own mode or owner (BuildKit, buildah).
      await makeDir(w, into);
      for await (const e of tree.walk(match)) {
        if (w.exclude?.matches(e.rel)) continue;
        if (skipSpecial(w, tree, e.treeRel, e.stat)) continue;
        await copyEntry(w, `${into}/${e.rel}`, e.abs, e.stat);
        if (++w.sinceYield >= YIELD_EVERY) {
          w.sinceYield = 0;
          await new Promise((r) => setImmediate(r));
        }
      }
    } else {
      if (skipSpecial(w, tree, match.rel, match.stat)) continue;
      const target = await fileTarget(w, base, path.posix.basename(match.matched), destDir || req.parents);
      await copyEntry(w, target, match.abs, match.stat);
    }
  }
  for (const c of req.contents) {
    const target = await fileTarget(w, req.dest, c.name, destDir);
    const { rel } = await prepareLeaf(w, target);
    const abs = path.join(req.rootfs, rel);
    writeFileSync(osPath(abs), c.data, { mode: 0o644 });
    finishEntry(w, abs, req.mode ?? 0o644, undefined);
    w.written.set(rel, ownerFor(w, undefined));
  }
  if (w.skipped.length > 0) {
    const shown = w.skipped.slice(0, 10).join(', ');
    const more = w.skipped.length > 10 ? ` and ${w.skipped.length - 10} more` : '';
    req.warn?.(
      `left out ${w.skipped.length} special file${w.skipped.length > 1 ? 's' : ''} of the ${w.skippedIn} (sockets, FIFOs and devices are not copied): ${shown}${more}`,
    );
  }
  // Directory mtimes last: writing children changed them.
  for (const d of w.dirTimes.reverse()) utimesSync(osPath(d.abs), d.stat.atime, d.stat.mtime);
  return w.written;
}

/** What kind of special file `st` is; undefined for files, directories and symlinks. */
function specialKind(st: Stats): string | undefined {
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return undefined;
}

/** Notes a special file (as Docker, Kiln does not copy them) and says whether to skip it. */
function skipSpecial(w: Writer, tree: SourceTree, treeRel: string, st: Stats): boolean {
  const kind = specialKind(st);
  if (kind === undefined) return false;
  w.skipped.push(`${treeRel} (${kind})`);
  w.skippedIn ??= tree.label;
  return true;
}

/** Where a single file goes: inside dest when it is (or must be) a directory, else dest itself. */
async function fileTarget(w: Writer, dest: string, name: string, destIsDir: boolean): Promise<string> {
  if (destIsDir) return path.posix.join(dest, name);
  const r = resolveInRoot(w.req.rootfs, dest);
  if (r.stat?.isDirectory()) return path.posix.join(dest, name);
  return dest;
}

async function makeDir(w: Writer, inImage: string): Promise<string> {
  const known = w.dirs.get(inImage);
  if (known !== undefined) return known;
  const owner = w.owner === 'preserve' ? (w.req.createdDirOwner ?? ROOT_OWNER) : w.owner;
  const { rel, created } = mkdirInRoot(w.req.rootfs, inImage, {
    mode: 0o755,
    ...(w.chown ? { uid: owner.uid, gid: owner.gid } : {}),
    ...(w.req.refuse ? { refuse: w.req.refuse } : {}),
  });
  for (const c of created) {
    w.written.set(c, owner);
    w.fresh.add(c);
  }
  w.dirs.set(inImage, rel);
  return rel;
}

/**
 * Resolves the parent in the root (creating it), and clears the leaf unless
 * it is a directory. `absent`: nothing is at the leaf now.
 */
async function prepareLeaf(
  w: Writer,
  inImage: string,
  keepDir = false,
): Promise<{ rel: string; absent: boolean }> {
  const parent = path.posix.dirname(inImage);
  const name = path.posix.basename(inImage);
  if (!name || name === '..' || name === '.') throw new CopyError(`invalid destination "${inImage}"`);
  const parentRel = await makeDir(w, parent);
  const rel = parentRel ? `${parentRel}/${name}` : name;
  const refused = w.req.refuse?.(rel);
  if (refused !== undefined) throw new CopyError(`cannot write ${inImage}: ${refused}`);
  // In a directory this COPY made, only what it wrote can be there.
  if (w.fresh.has(parentRel) && !w.written.has(rel)) return { rel, absent: true };
  const abs = path.join(w.req.rootfs, rel);
  const existing = lstatOrUndefined(abs);
  if (existing && !(keepDir && existing.isDirectory())) {
    rmSync(osPath(abs), { recursive: true, force: true });
    // Whatever was resolved through it may be gone or different now.
    w.dirs.clear();
    w.fresh.clear();
    return { rel, absent: true };
  }
  return { rel, absent: existing === undefined };
}

async function copyEntry(w: Writer, inImage: string, src: string, st: Stats): Promise<void> {
  if (st.isDirectory()) {
    const { rel, absent } = await prepareLeaf(w, inImage, true);
    const abs = path.join(w.req.rootfs, rel);
    if (absent) {
      mkdirSync(osPath(abs));
      w.fresh.add(rel);
    } else mkdirSync(osPath(abs), { recursive: true });
    applyMeta(w, abs, st, true);
    w.written.set(rel, ownerFor(w, st));
    // A real directory now (prepareLeaf replaced anything else): children resolve to it.
    w.dirs.set(inImage, rel);
    return;
  }
  const { rel } = await prepareLeaf(w, inImage);
  const abs = path.join(w.req.rootfs, rel);
  if (st.nlink > 1 && !st.isSymbolicLink()) {
    const key = `${st.dev}:${st.ino}`;
    const first = w.links.get(key);
    if (first !== undefined) {
      linkSync(osPath(path.join(w.req.rootfs, first)), osPath(abs));
      w.written.set(rel, ownerFor(w, st));
      return;
    }
    w.links.set(key, rel);
  }
  if (st.isSymbolicLink()) {
    const link = osPath(abs);
    symlinkSync(readlinkSync(osPath(src), { encoding: 'buffer' }), link);
    const o = ownerFor(w, st);
    if (w.chown) lchownSync(link, o.uid, o.gid);
    lutimesSync(link, st.atime, st.mtime);
  } else if (st.isFile()) {
    if (st.size > SMALL || !copySmallFile(w, src, abs, st)) {
      copyFileSync(osPath(src), osPath(abs), constants.COPYFILE_FICLONE);
      applyMeta(w, abs, st, false);
    }
  } else {
    // Sockets, fifos and devices in a build context are not copied (Docker skips them too).
    return;
  }
  w.written.set(rel, ownerFor(w, st));
}

/**
 * A small file through the shared buffer: read whole, created O_EXCL with
 * owner, mode and times set on the descriptor (half the syscalls of
 * copyFile + lchown + chmod + utimes). False when the file outgrew the
 * buffer since it was listed (the caller copies it the long way).
 */
function copySmallFile(w: Writer, src: string, abs: string, st: Stats): boolean {
  const buf = w.buf;
  let size = 0;
  const input = openSync(osPath(src), READ_FLAGS);
  try {
    for (;;) {
      const n = readSync(input, buf, size, buf.length - size, null);
      if (n === 0) break;
      size += n;
      if (size === buf.length) return false;
    }
  } finally {
    closeSync(input);
  }
  const out = openSync(osPath(abs), CREATE_FLAGS, 0o600);
  try {
    for (let off = 0; off < size; ) off += writeSync(out, buf, off, size - off);
    const o = ownerFor(w, st);
    if (w.chown) fchownSync(out, o.uid, o.gid);
    fchmodSync(out, w.req.mode ?? st.mode & 0o7777); // after chown: chown clears setuid/setgid
    futimesSync(out, st.atime, st.mtime);
  } finally {
    closeSync(out);
  }
  return true;
}

function ownerFor(w: Writer, st: Stats | undefined): Owner {
  if (w.owner !== 'preserve') return w.owner;
  return st ? { uid: st.uid, gid: st.gid } : ROOT_OWNER;
}

function applyMeta(w: Writer, abs: string, st: Stats, isDir: boolean): void {
  finishEntry(w, abs, w.req.mode ?? st.mode & 0o7777, isDir ? undefined : st, st);
  if (isDir) w.dirTimes.push({ abs, stat: st });
}

function finishEntry(w: Writer, abs: string, mode: number, times: Stats | undefined, source?: Stats): void {
  const o = ownerFor(w, source);
  const p = osPath(abs);
  if (w.chown) lchownSync(p, o.uid, o.gid);
  chmodSync(p, mode); // after chown: chown clears setuid/setgid
  if (times) utimesSync(p, times.atime, times.mtime);
}
