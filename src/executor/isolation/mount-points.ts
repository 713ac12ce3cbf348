/**
 * Mount points a RUN needs (/proc, /dev, /sys, /etc/hosts,
 * /etc/resolv.conf, and the targets of its RUN --mount), resolved inside the
 * root (an image's /etc/resolv.conf may be a symlink to ../run/…: the mount
 * goes where the symlink leads, as runc does). Those missing from the image
 * are "stubs", with every missing parent: the overlay snapshotter puts them
 * in an extra lower layer, the walk snapshotter (and a bare sandbox run)
 * creates them in the rootfs and removes them afterwards when they are
 * still empty, so no mount point Kiln made ends up in a layer. That is what
 * BuildKit leaves too (its MountStubsCleaner, recursive for Dockerfiles):
 * an empty stub and its empty stub parents go, a stub directory the RUN
 * wrote into stays.
 *
 * A RUN mount target below another RUN mount's target is "nested": its
 * mount point is made inside the outer mount when the sandbox sets it up.
 */
import type { BigIntStats } from 'node:fs';
import { chmod, lstat, mkdir, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type InRootPath, RootPathError, resolveInRoot } from '../../fs/root-path.js';
import type { Logger } from '../../log.js';
import type { MountTargets } from './sandbox.js';
import { SandboxError } from './sandbox.js';

export interface Stub {
  /** Path relative to the root. */
  rel: string;
  type: 'dir' | 'file';
}

export interface MountPlan {
  targets: MountTargets;
  /** Missing entries, parents first. */
  stubs: Stub[];
}

/** A RUN --mount target to plan: absolute in the image; a directory or a file (a file, a socket). */
export interface RunMountPoint {
  target: string;
  type: Stub['type'];
}

const DIR_MOUNTS = ['proc', 'dev', 'sys'] as const;
const FILE_MOUNTS = [
  ['hosts', '/etc/hosts'],
  ['resolvConf', '/etc/resolv.conf'],
] as const;

function under(rel: string, dir: string): boolean {
  return rel === dir || rel.startsWith(`${dir}/`);
}

function missingChain(existingPrefix: string, rel: string, lastType: Stub['type']): Stub[] {
  const parts = rel.split('/');
  const pre = existingPrefix === '' ? 0 : existingPrefix.split('/').length;
  const out: Stub[] = [];
  for (let i = pre; i < parts.length; i++) {
    out.push({ rel: parts.slice(0, i + 1).join('/'), type: i === parts.length - 1 ? lastType : 'dir' });
  }
  return out;
}

async function existingPrefix(root: string, rel: string): Promise<string> {
  const parts = rel.split('/');
  let prefix = '';
  for (const p of parts) {
    const next = prefix ? `${prefix}/${p}` : p;
    try {
      await lstat(join(root, next));
    } catch {
      return prefix;
    }
    prefix = next;
  }
  return prefix;
}

/** Resolves every mount target in `root` and lists what is missing. */
export async function planMountPoints(
  root: string,
  log?: Logger,
  runMounts: readonly RunMountPoint[] = [],
): Promise<MountPlan> {
  const stubs: Stub[] = [];
  const seen = new Set<string>();
  const addStubs = (list: Stub[]) => {
    for (const s of list) {
      if (!seen.has(s.rel)) {
        seen.add(s.rel);
        stubs.push(s);
      }
    }
  };
  const dirs: Record<string, string> = {};
  for (const name of DIR_MOUNTS) {
    let r: InRootPath;
    try {
      r = resolveInRoot(root, `/${name}`);
    } catch (e) {
      if (e instanceof RootPathError)
        throw new SandboxError(`cannot mount /${name} in the image: ${e.message}`);
      throw e;
    }
    if (r.rel === '' || Object.values(dirs).some((d) => under(r.rel, d) || under(d, r.rel))) {
      throw new SandboxError(`cannot mount /${name}: in the image it resolves to /${r.rel}`);
    }
    if (r.stat && !r.stat.isDirectory()) {
      throw new SandboxError(`cannot mount /${name}: /${r.rel} in the image is not a directory`);
    }
    if (!r.stat) addStubs(missingChain(await existingPrefix(root, r.rel), r.rel, 'dir'));
    dirs[name] = r.rel;
  }
  const targets: MountTargets = { proc: dirs.proc!, dev: dirs.dev!, sys: dirs.sys! };
  for (const [key, path] of FILE_MOUNTS) {
    let r: InRootPath;
    try {
      r = resolveInRoot(root, path);
    } catch (e) {
      if (!(e instanceof RootPathError)) throw e;
      log?.warn(`RUN will not see the host's ${path}: ${e.message}`);
      continue;
    }
    if (r.rel === '' || Object.values(dirs).some((d) => under(r.rel, d)) || r.stat?.isDirectory()) {
      log?.warn(`RUN will not see the host's ${path}: in the image it resolves to /${r.rel}`);
      continue;
    }
    if (!r.stat) addStubs(missingChain(await existingPrefix(root, r.rel), r.rel, 'file'));
    targets[key] = r.rel;
  }
  if (runMounts.length) targets.run = await planRunMounts(root, runMounts, Object.values(dirs), addStubs);
  return { targets, stubs };
}

/** Lexically cleaned absolute path without the leading slash ('' for /). */
function cleanTarget(target: string): string {
  const out: string[] = [];
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

async function planRunMounts(
  root: string,
  points: readonly RunMountPoint[],
  systemDirs: string[],
  addStubs: (list: Stub[]) => void,
): Promise<{ rel: string; nested: boolean }[]> {
  const cleaned = points.map((p) => cleanTarget(p.target));
  const planned: { rel: string; nested: boolean }[] = new Array(points.length);
  // Outer mounts first: a nested target's place is known once its outer mount's is.
  const order = points
    .map((_, i) => i)
    .sort((a, b) => cleaned[a]!.split('/').length - cleaned[b]!.split('/').length);
  for (const i of order) {
    const point = points[i]!;
    const t = cleaned[i]!;
    if (t === '') throw new SandboxError(`invalid mount target ${JSON.stringify(point.target)}`);
    let outer: number | undefined;
    for (const j of order) {
      if (j === i || planned[j] === undefined) continue;
      if (
        t.startsWith(`${cleaned[j]}/`) &&
        (outer === undefined || cleaned[j]!.length > cleaned[outer]!.length)
      )
        outer = j;
    }
    if (outer !== undefined) {
      planned[i] = { rel: `${planned[outer]!.rel}${t.slice(cleaned[outer]!.length)}`, nested: true };
      continue;
    }
    let r: InRootPath;
    try {
      r = resolveInRoot(root, `/${t}`);
    } catch (e) {
      if (e instanceof RootPathError) throw new SandboxError(`cannot mount at ${point.target}: ${e.message}`);
      throw e;
    }
    if (r.rel === '')
      throw new SandboxError(`invalid mount target ${JSON.stringify(point.target)}: it is the root`);
    if (systemDirs.some((d) => under(r.rel, d))) {
      planned[i] = { rel: r.rel, nested: true };
      continue;
    }
    if (r.stat) {
      if (point.type === 'dir' && !r.stat.isDirectory())
        throw new SandboxError(
          `cannot mount a directory at ${point.target}: /${r.rel} in the image is not a directory`,
        );
      if (point.type === 'file' && r.stat.isDirectory())
        throw new SandboxError(
          `cannot mount a file at ${point.target}: /${r.rel} in the image is a directory`,
        );
    } else addStubs(missingChain(await existingPrefix(root, r.rel), r.rel, point.type));
    planned[i] = { rel: r.rel, nested: false };
  }
  return planned;
}

export interface CreatedStub extends Stub {
  ino: bigint;
}

/** A directory of the root whose entries Kiln changed by adding/removing stubs. */
export interface TouchedDir {
  rel: string;
  /** mtime before the stubs were created. */
  mtimeNs: bigint;
  /** mtime right after they were created. */
  afterCreateNs: bigint;
}

/**
 * Creates the stubs under `base` (the root itself, or an overlay lower
 * layer that sits under it: then the stubs' existing parents are created as
 * plain directories too). Returns what was created, in order.
 */
export async function createStubs(
  base: string,
  stubs: Stub[],
): Promise<{ created: CreatedStub[]; touched: TouchedDir[] }> {
  const created: CreatedStub[] = [];
  const before = new Map<string, bigint>();
  for (const s of stubs) {
    const parent = dirname(s.rel) === '.' ? '' : dirname(s.rel);
    await mkdir(join(base, parent), { recursive: true });
    if (!before.has(parent) && !stubs.some((o) => o.rel === parent)) {
      before.set(parent, (await lstat(join(base, parent), { bigint: true })).mtimeNs);
    }
    const abs = join(base, s.rel);
    if (s.type === 'dir') {
      await mkdir(abs);
      await chmod(abs, 0o755);
    } else {
      await writeFile(abs, '', { flag: 'wx', mode: 0o644 });
    }
    created.push({ ...s, ino: (await lstat(abs, { bigint: true })).ino });
  }
  const touched: TouchedDir[] = [];
  for (const [rel, mtimeNs] of before) {
    touched.push({ rel, mtimeNs, afterCreateNs: (await lstat(join(base, rel), { bigint: true })).mtimeNs });
  }
  return { created, touched };
}

/**
 * Removes stubs created in `root` (reverse order), only where the entry is
 * still the one Kiln made: same inode, reached through real directories, an
 * empty directory or an empty file. A stub the RUN filled (e.g. /etc of a
 * FROM scratch image that a RUN wrote into) stays: it is then part of the
 * change. Returns the stubs that were kept.
 */
export async function removeStubs(root: string, created: CreatedStub[]): Promise<CreatedStub[]> {
  const kept: CreatedStub[] = [];
  for (const s of [...created].reverse()) {
    if (!(await reachableWithoutSymlinks(root, s.rel))) {
      kept.push(s);
      continue;
    }
    const abs = join(root, s.rel);
    let st: BigIntStats;
    try {
      st = await lstat(abs, { bigint: true });
    } catch {
      continue;
    }
    if (st.ino !== s.ino) {
      kept.push(s);
      continue;
    }
    try {
      if (s.type === 'dir' && st.isDirectory()) await rmdir(abs);
      else if (s.type === 'file' && st.isFile() && st.size === 0n) await unlink(abs);
      else kept.push(s);
    } catch {
      kept.push(s);
    }
  }
  return kept;
}

async function reachableWithoutSymlinks(root: string, rel: string): Promise<boolean> {
  const parts = rel.split('/');
  let prefix = '';
  for (const p of parts.slice(0, -1)) {
    prefix = prefix ? `${prefix}/${p}` : p;
    try {
      const st = await lstat(join(root, prefix));
      if (!st.isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}
