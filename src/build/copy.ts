/**
 * COPY and ADD (local sources) into a stage's root filesystem, with
 * BuildKit's rules: a directory source copies its contents; a file goes to
 * `dest` itself unless `dest` ends in `/`, is an existing directory, or
 * several sources are copied; parents are created (owned by --chown);
 * content keeps its mode and mtime unless --chmod; owner is 0:0 unless
 * --chown; symlinks below a source are copied as symlinks; hardlinks inside
 * one COPY stay hardlinks. Every write goes through in-root resolution, so a
 * symlink in the image can never send a file outside the root filesystem.
 * Returns the rootfs-relative paths written, for the layer.
 */
import { constants, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { IgnoreMatcher, parseDockerignore } from '../dockerfile/dockerignore.js';
import { canChown, type Owner } from './owned-layer.js';
import { mkdirInRoot, resolveInRoot } from './sandbox-paths.js';
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
  /** source ino → written dest rel, for hardlinks within this COPY. */
  links: Map<string, string>;
  /** directories whose mtime must be set after their children. */
  dirTimes: { abs: string; stat: Stats }[];
  exclude?: IgnoreMatcher;
  /** Owners are applied on disk only as root (the layer carries them either way). */
  chown: boolean;
}

export async function copyIntoRootfs(req: CopyRequest): Promise<Map<string, Owner>> {
  const w: Writer = {
    req,
    owner: req.owner ?? ROOT_OWNER,
    written: new Map(),
    links: new Map(),
    dirTimes: [],
    chown: canChown(),
    exclude: req.exclude.length
      ? new IgnoreMatcher(parseDockerignore(req.exclude.join('\n')), '--exclude')
      : undefined,
  };
  const count = req.sources.length + req.contents.length;
  const destDir = req.dest.endsWith('/') || count > 1 || req.parents;
  for (const { tree, match } of req.sources) {
    if (w.exclude?.matches(match.matched)) continue;
    const base = req.parents ? path.posix.join(req.dest, path.posix.dirname(match.matched)) : req.dest;
    if (match.stat.isDirectory()) {
      const into = req.parents && match.matched ? path.posix.join(req.dest, match.matched) : base;
      // The destination directory is created 0755 (owned by --chown) or left as it is: a
      // directory source gives only its contents, never its own mode or owner (BuildKit, buildah).
      await makeDir(w, into);
      for await (const e of tree.walk(match)) {
        if (w.exclude?.matches(e.rel)) continue;
        await copyEntry(w, `${into}/${e.rel}`, e.abs, e.stat);
      }
    } else {
      const target = await fileTarget(w, base, path.posix.basename(match.matched), destDir || req.parents);
      await copyEntry(w, target, match.abs, match.stat);
    }
  }
  for (const c of req.contents) {
    const target = await fileTarget(w, req.dest, c.name, destDir);
    const rel = await prepareLeaf(w, target);
    const abs = path.join(req.rootfs, rel);
    await fs.writeFile(abs, c.data, { mode: 0o644 });
    await finishEntry(w, abs, req.mode ?? 0o644, undefined);
    w.written.set(rel, ownerFor(w, undefined));
  }
  // Directory mtimes last: writing children changed them.
  for (const d of w.dirTimes.reverse()) await fs.utimes(d.abs, d.stat.atime, d.stat.mtime);
  return w.written;
}

/** Where a single file goes: inside dest when it is (or must be) a directory, else dest itself. */
async function fileTarget(w: Writer, dest: string, name: string, destIsDir: boolean): Promise<string> {
  if (destIsDir) return path.posix.join(dest, name);
  const r = await resolveInRoot(w.req.rootfs, dest);
  if (r.stat?.isDirectory()) return path.posix.join(dest, name);
  return dest;
}

async function makeDir(w: Writer, inImage: string): Promise<string> {
  const owner = w.owner === 'preserve' ? (w.req.createdDirOwner ?? ROOT_OWNER) : w.owner;
  const { rel, created } = await mkdirInRoot(w.req.rootfs, inImage, {
    mode: 0o755,
    ...(w.chown ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  for (const c of created) w.written.set(c, owner);
  return rel;
}

/** Resolves the parent in the root (creating it), and clears the leaf unless it is a directory. */
async function prepareLeaf(w: Writer, inImage: string, keepDir = false): Promise<string> {
  const parent = path.posix.dirname(inImage);
  const name = path.posix.basename(inImage);
  if (!name || name === '..' || name === '.') throw new CopyError(`invalid destination "${inImage}"`);
  const parentRel = await makeDir(w, parent);
  const rel = parentRel ? `${parentRel}/${name}` : name;
  const abs = path.join(w.req.rootfs, rel);
  const existing = await fs.lstat(abs).catch(() => undefined);
  if (existing && !(keepDir && existing.isDirectory())) {
    await fs.rm(abs, { recursive: true, force: true });
  }
  return rel;
}

async function copyEntry(w: Writer, inImage: string, src: string, st: Stats): Promise<void> {
  if (st.isDirectory()) {
    const rel = await prepareLeaf(w, inImage, true);
    const abs = path.join(w.req.rootfs, rel);
    await fs.mkdir(abs, { recursive: true });
    await applyMeta(w, abs, st, true);
    w.written.set(rel, ownerFor(w, st));
    return;
  }
  const rel = await prepareLeaf(w, inImage);
  const abs = path.join(w.req.rootfs, rel);
  if (st.nlink > 1 && !st.isSymbolicLink()) {
    const key = `${st.dev}:${st.ino}`;
    const first = w.links.get(key);
    if (first !== undefined) {
      await fs.link(path.join(w.req.rootfs, first), abs);
      w.written.set(rel, ownerFor(w, st));
      return;
    }
    w.links.set(key, rel);
  }
  if (st.isSymbolicLink()) {
    await fs.symlink(await fs.readlink(src), abs);
    const o = ownerFor(w, st);
    if (w.chown) await fs.lchown(abs, o.uid, o.gid);
    await fs.lutimes(abs, st.atime, st.mtime);
  } else if (st.isFile()) {
    await fs.copyFile(src, abs, constants.COPYFILE_FICLONE);
    await applyMeta(w, abs, st, false);
  } else {
    // Sockets, fifos and devices in a build context are not copied (Docker skips them too).
    return;
  }
  w.written.set(rel, ownerFor(w, st));
}

function ownerFor(w: Writer, st: Stats | undefined): Owner {
  if (w.owner !== 'preserve') return w.owner;
  return st ? { uid: st.uid, gid: st.gid } : ROOT_OWNER;
}

async function applyMeta(w: Writer, abs: string, st: Stats, isDir: boolean): Promise<void> {
  await finishEntry(w, abs, w.req.mode ?? st.mode & 0o7777, isDir ? undefined : st, st);
  if (isDir) w.dirTimes.push({ abs, stat: st });
}

async function finishEntry(
  w: Writer,
  abs: string,
  mode: number,
  times: Stats | undefined,
  source?: Stats,
): Promise<void> {
  const o = ownerFor(w, source);
  if (w.chown) await fs.lchown(abs, o.uid, o.gid);
  await fs.chmod(abs, mode); // after chown: chown clears setuid/setgid
  if (times) await fs.utimes(abs, times.atime, times.mtime);
}
