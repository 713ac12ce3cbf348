/**
 * Paths inside a root filesystem, resolved the way the kernel would resolve
 * them for a process chrooted there: symlinks (absolute or relative) are
 * followed relative to the root and `..` never climbs above it. Host code
 * that touches a rootfs (reading /etc/passwd, creating WORKDIR or mount
 * points) goes through here so an image's symlink can never send it to a
 * host path. Only safe while nothing else modifies the tree (before a RUN
 * starts or after its namespace is gone).
 */
import type { BigIntStats } from 'node:fs';
import { chmod, lchown, lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

const MAX_SYMLINKS = 40;

export class RootPathError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly code: 'ENOTDIR' | 'ELOOP',
  ) {
    super(message);
    this.name = 'RootPathError';
  }
}

export interface InRootPath {
  /** The resolved path relative to the root, no symlinks in it; '' for the root itself. */
  rel: string;
  /** lstat of join(root, rel) when it exists. */
  stat?: BigIntStats;
}

function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

async function lstatOrUndefined(path: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(path, { bigint: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * Resolves `path` (absolute or relative to the root, as a process inside it
 * would see it) to a symlink-free path relative to `root`. The last
 * component is followed when `followFinal` (default true). Components that
 * do not exist are kept as written (`..` among them applied lexically).
 */
export async function resolveInRoot(root: string, path: string, followFinal = true): Promise<InRootPath> {
  const done: string[] = [];
  let todo = components(path);
  let links = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const rel = [...done, c].join('/');
    const st = await lstatOrUndefined(join(root, rel));
    if (!st) {
      // Missing: the rest does not exist either; apply `..` lexically.
      const rest = [...done, c];
      for (const r of todo) {
        if (r === '..') rest.pop();
        else rest.push(r);
      }
      return { rel: rest.join('/') };
    }
    const isLast = todo.length === 0;
    if (st.isSymbolicLink() && (!isLast || followFinal)) {
      if (++links > MAX_SYMLINKS)
        throw new RootPathError(`too many levels of symbolic links: ${path}`, path, 'ELOOP');
      const target = await readlink(join(root, rel));
      if (target.startsWith('/')) done.length = 0;
      todo = [...components(target), ...todo];
      continue;
    }
    if (!isLast && !st.isDirectory()) {
      throw new RootPathError(`not a directory: /${rel} (resolving ${path})`, path, 'ENOTDIR');
    }
    done.push(c);
    if (isLast) return { rel: done.join('/'), stat: st };
  }
  const rel = done.join('/');
  return { rel, stat: await lstatOrUndefined(join(root, rel)) };
}

/**
 * Creates the directory `path` inside the root like `mkdir -p` run inside it
 * (symlinks followed within the root). New directories get `mode` and, when
 * given, the owner. Returns the resolved relative path and the relative
 * paths of the directories it created, parents first.
 */
export async function mkdirInRoot(
  root: string,
  path: string,
  opts: { mode?: number; uid?: number; gid?: number } = {},
): Promise<{ rel: string; created: string[] }> {
  const created: string[] = [];
  // Resolve one component at a time so that each new directory is checked.
  for (let i = 0; i < MAX_SYMLINKS * 4; i++) {
    const r = await resolveInRoot(root, path);
    if (r.stat) {
      if (!r.stat.isDirectory()) {
        throw new RootPathError(`not a directory: /${r.rel} (creating ${path})`, path, 'ENOTDIR');
      }
      return { rel: r.rel, created };
    }
    // Create the first missing component of r.rel.
    const parts = r.rel.split('/');
    let prefix = '';
    for (const part of parts) {
      const next = prefix ? `${prefix}/${part}` : part;
      const st = await lstatOrUndefined(join(root, next));
      if (!st) {
        await mkdir(join(root, next));
        await chmod(join(root, next), opts.mode ?? 0o755);
        if (opts.uid !== undefined && opts.gid !== undefined)
          await lchown(join(root, next), opts.uid, opts.gid);
        created.push(next);
        break;
      }
      if (!st.isDirectory()) break; // a symlink: resolve again from the top
      prefix = next;
    }
  }
  throw new RootPathError(`cannot create ${path}: too many levels of symbolic links`, path, 'ELOOP');
}
