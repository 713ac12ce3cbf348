/**
 * The one in-root path resolver. Paths inside a root filesystem are resolved
 * the way the kernel resolves them for a process chrooted there: symlinks
 * (absolute or relative) are followed relative to the root and `..` never
 * climbs above it, so whatever symlinks an image plants, the result is a
 * real path under the root. Host code that touches a rootfs (extracting a
 * layer, reading /etc/passwd, creating WORKDIR, COPY destinations or mount
 * points) resolves through here.
 *
 * A missing component ends the real walk: what follows is kept as written
 * ("virtual") with `..` popping virtual components first; once every
 * virtual component is popped the walk is real again, so an existing
 * component after `missing/..` is checked like any other (this is what
 * `mkdir -p` would see after creating the missing directories; a lexical
 * `..` there would skip the check of a symlink that follows).
 *
 * Names are byte-exact (byte-names.ts).
 *
 * Synchronous on purpose: the extractor calls this per tar entry, and the
 * resolution must not interleave with writes to the same tree. Only safe
 * while nothing else modifies the tree (no RUN in it).
 */
import { chmodSync, lchownSync, lstatSync, mkdirSync, type Stats } from 'node:fs';
import { osPath, readlinkName } from './byte-names.js';

/** Symlinks followed while resolving one path (Linux's MAXSYMLINKS is 40). */
const MAX_SYMLINKS = 40;

/** EPERM: creating a directory there was refused (CreateOptions.refuse). */
export type RootPathErrorCode = 'ENOTDIR' | 'ELOOP' | 'EIO' | 'EPERM';

export class RootPathError extends Error {
  constructor(
    message: string,
    /** The path being resolved, as given. */
    readonly path: string,
    readonly code: RootPathErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RootPathError';
  }
}

/** lstat, or undefined when nothing is there (ENOENT, or a parent is not a directory). */
export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(osPath(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

export interface InRootPath {
  /** The resolved path relative to the root, no symlinks in it; '' for the root itself. */
  rel: string;
  /** lstat of join(root, rel) when it exists. */
  stat?: Stats;
}

export interface CreateOptions {
  /** Mode of created directories (default 0755). */
  mode?: number;
  /** Owner of created directories (default: whoever Kiln runs as). */
  uid?: number;
  gid?: number;
  /** Called with the root-relative path of each directory created, parents first. */
  onCreate?: (rel: string) => void;
  /** Why a directory must not be created at this root-relative path; undefined allows it. */
  refuse?: (rel: string) => string | undefined;
}

export interface WalkOptions {
  /** Follow a symlink in the last component (default true). */
  followFinal?: boolean;
  /** Create missing components as directories (`mkdir -p` inside the root). */
  create?: CreateOptions;
  /** The real, symlink-free directory (root-relative) `components` start from; default the root. */
  start?: string;
  /** lstat the result (default true). */
  stat?: boolean;
}

function split(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

function join(parts: readonly string[]): string {
  return parts.join('/');
}

/**
 * Resolves `components` (a path inside the root, split on '/') to a
 * symlink-free path relative to `root`. `root` must be absolute and
 * symlink-free. Throws RootPathError when a component that must be a
 * directory is not one, on symlink loops, or when the filesystem fails.
 */
export function walkInRoot(root: string, components: readonly string[], opts: WalkOptions = {}): InRootPath {
  const shown = `/${components.join('/')}`;
  const done: string[] = opts.start ? opts.start.split('/') : [];
  const virtual: string[] = [];
  // A stack: the next component is last.
  const todo = components.filter((c) => c !== '' && c !== '.').reverse();
  const followFinal = opts.followFinal ?? true;
  let links = 0;
  const abs = (rel: string) => inRoot(root, rel);

  while (todo.length > 0) {
    const c = todo.pop()!;
    if (c === '..') {
      if (virtual.length > 0) virtual.pop();
      else done.pop();
      continue;
    }
    if (virtual.length > 0) {
      virtual.push(c);
      continue;
    }
    const rel = done.length ? `${join(done)}/${c}` : c;
    let st: Stats | undefined;
    try {
      st = lstatOrUndefined(abs(rel));
    } catch (e) {
      throw new RootPathError(`cannot inspect /${rel}: ${(e as Error).message}`, shown, 'EIO', { cause: e });
    }
    if (!st) {
      if (!opts.create) {
        virtual.push(c);
        continue;
      }
      createDir(abs(rel), rel, shown, opts.create);
      done.push(c);
      continue;
    }
    const isLast = todo.length === 0;
    if (st.isSymbolicLink() && (!isLast || followFinal || opts.create)) {
      if (++links > MAX_SYMLINKS)
        throw new RootPathError(`too many levels of symbolic links resolving ${shown}`, shown, 'ELOOP');
      const target = readlinkName(abs(rel));
      if (target.startsWith('/')) done.length = 0;
      const parts = split(target);
      for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
      continue;
    }
    if ((!isLast || opts.create) && !st.isDirectory()) {
      throw new RootPathError(`not a directory: /${rel} (resolving ${shown})`, shown, 'ENOTDIR');
    }
    done.push(c);
  }
  const rel = join([...done, ...virtual]);
  if (virtual.length > 0 || opts.stat === false) return { rel };
  const st = lstatOrUndefined(abs(rel));
  return st ? { rel, stat: st } : { rel };
}

/** The absolute path of `rel` under `root` ('' is the root itself; a root of '/' gives '/rel'). */
export function inRoot(root: string, rel: string): string {
  if (!rel) return root;
  return root === '/' ? `/${rel}` : `${root}/${rel}`;
}

function createDir(abs: string, rel: string, shown: string, c: CreateOptions): void {
  const refused = c.refuse?.(rel);
  if (refused !== undefined) {
    throw new RootPathError(`cannot create directory /${rel}: ${refused}`, shown, 'EPERM');
  }
  try {
    const p = osPath(abs);
    mkdirSync(p);
    chmodSync(p, c.mode ?? 0o755);
    if (c.uid !== undefined && c.gid !== undefined) lchownSync(p, c.uid, c.gid);
  } catch (e) {
    throw new RootPathError(`cannot create directory /${rel}: ${(e as Error).message}`, shown, 'EIO', {
      cause: e,
    });
  }
  c.onCreate?.(rel);
}

/**
 * Resolves `path` (absolute or relative to the root, as a process inside it
 * would see it). The last component is followed when `followFinal` (default
 * true). A missing path resolves to where `mkdir -p` would put it (no stat).
 */
export function resolveInRoot(root: string, path: string, followFinal = true): InRootPath {
  return walkInRoot(root, split(path), { followFinal });
}

/**
 * Creates the directory `path` inside the root like `mkdir -p` run inside it
 * (symlinks followed within the root). New directories get `mode` and, when
 * given, the owner. Returns the resolved relative path and the relative
 * paths of the directories it created, parents first.
 */
export function mkdirInRoot(
  root: string,
  path: string,
  opts: Pick<CreateOptions, 'mode' | 'uid' | 'gid' | 'refuse'> = {},
): { rel: string; created: string[] } {
  const created: string[] = [];
  const r = walkInRoot(root, split(path), {
    create: { ...opts, onCreate: (rel) => created.push(rel) },
    stat: false,
  });
  return { rel: r.rel, created };
}

/**
 * Directory resolution with a cache, for a single writer applying many
 * entries (the layer extractor): each result is remembered by the path as
 * given until invalidate() (after a directory or symlink was removed).
 */
export class RootResolver {
  private cache = new Map<string, string>();

  /**
   * @param root an absolute, symlink-free path (realpath'd by the caller)
   * @param onCreate called for every directory created on the way
   * @param refuse why a directory must not be created at a path (see CreateOptions)
   */
  constructor(
    readonly root: string,
    private readonly onCreate: (rel: string) => void = () => {},
    private readonly refuse?: (rel: string) => string | undefined,
  ) {}

  abs(rel: string): string {
    return inRoot(this.root, rel);
  }

  /** Forgets every resolution (after a directory or symlink was removed). */
  invalidate(): void {
    this.cache.clear();
  }

  /**
   * The root-relative path ('' = root) of the real directory that `dir`
   * (clean components) names inside the root, creating missing directories
   * (mode 0755). Throws RootPathError when a component is not a directory.
   */
  ensureDir(dir: readonly string[]): string {
    return this.resolve(dir, true)!;
  }

  /** Like ensureDir but creates nothing: undefined when the directory is missing or is not one. */
  lookupDir(dir: readonly string[]): string | undefined {
    return this.resolve(dir, false);
  }

  private resolve(dir: readonly string[], create: boolean): string | undefined {
    const key = dir.join('/');
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    // Start from the longest cached prefix.
    let start = dir.length - 1;
    while (start > 0 && !this.cache.has(dir.slice(0, start).join('/'))) start--;
    const from = start > 0 ? this.cache.get(dir.slice(0, start).join('/')) : undefined;
    const rest = dir.slice(Math.max(start, 0));
    const opts: WalkOptions = {
      ...(from ? { start: from } : {}),
      ...(create
        ? { create: { onCreate: this.onCreate, ...(this.refuse ? { refuse: this.refuse } : {}) } }
        : {}),
    };
    let r: InRootPath;
    try {
      r = walkInRoot(this.root, rest, opts);
    } catch (e) {
      if (!create && e instanceof RootPathError && e.code === 'ENOTDIR') return undefined;
      throw e;
    }
    if (!create && !r.stat?.isDirectory()) return undefined;
    this.cache.set(key, r.rel);
    return r.rel;
  }
}
