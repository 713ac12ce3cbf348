/**
 * Snapshots of an unpacked root filesystem and a readable comparison of two
 * of them: path, type, mode (with setuid/setgid/sticky), owner, size,
 * content (sha256), symlink target, device numbers, xattrs, hardlink groups
 * (which paths share an inode) and, where the reference kept an old time,
 * mtime.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export type EntryType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface TreeEntry {
  /** Absolute inside the rootfs: `/`, `/etc/passwd`. */
  path: string;
  type: EntryType;
  /** Permission bits with setuid (04000), setgid (02000) and sticky (01000). */
  mode: number;
  uid: number;
  gid: number;
  /** Regular files only. */
  size?: number;
  sha256?: string;
  /** Symlinks only: the target as stored. */
  target?: string;
  /** Devices only: `major:minor`. */
  device?: string;
  /** Whole seconds. */
  mtime: number;
  /** Other paths sharing this entry's inode (regular files with nlink > 1), sorted. */
  links?: string[];
  /** Extended attributes, name → hex value. */
  xattrs?: Record<string, string>;
}

export type Tree = Map<string, TreeEntry>;

function typeOf(st: import('node:fs').BigIntStats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'socket';
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** Every extended attribute under `root` (one getfattr run), keyed by absolute rootfs path. */
export function readXattrs(root: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let text: string;
  try {
    text = execFileSync('getfattr', ['--absolute-names', '-P', '-R', '-d', '-m', '-', '-e', 'hex', root], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    // getfattr exits 1 when some file has none; its output is still complete.
    text = String((e as { stdout?: string }).stdout ?? '');
  }
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const file = /^# file: (.*)$/.exec(line);
    if (file) {
      const abs = file[1]!;
      current = abs === root ? '/' : abs.slice(root.length);
      continue;
    }
    const attr = /^([^=]+)=(.*)$/.exec(line);
    if (attr && current !== undefined) {
      const attrs = out.get(current) ?? {};
      attrs[attr[1]!] = attr[2]!;
      out.set(current, attrs);
    }
  }
  return out;
}

/** Walks `root` (not following symlinks) into a Tree. */
export async function snapshotTree(root: string, opts: { xattrs?: boolean } = {}): Promise<Tree> {
  const tree: Tree = new Map();
  const inodes = new Map<bigint, string[]>();
  const visit = async (rel: string) => {
    const abs = rel === '/' ? root : join(root, rel);
    const st = await lstat(abs, { bigint: true });
    const type = typeOf(st);
    const entry: TreeEntry = {
      path: rel,
      type,
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: Number(st.mtimeNs / 1_000_000_000n),
    };
    if (type === 'file') {
      entry.size = Number(st.size);
      entry.sha256 = await hashFile(abs);
      if (st.nlink > 1n) inodes.set(st.ino, [...(inodes.get(st.ino) ?? []), rel]);
    } else if (type === 'symlink') {
      entry.target = await readlink(abs);
    } else if (type === 'char' || type === 'block') {
      const rdev = Number(st.rdev);
      entry.device = `${Math.floor(rdev / 256) & 0xfff}:${(rdev & 0xff) | ((rdev >> 12) & 0xfff00)}`;
    }
    tree.set(rel, entry);
    if (type === 'dir') {
      for (const name of (await readdir(abs)).sort()) {
        await visit(rel === '/' ? `/${name}` : `${rel}/${name}`);
      }
    }
  };
  await visit('/');
  for (const paths of inodes.values()) {
    if (paths.length < 2) continue;
    for (const p of paths) tree.get(p)!.links = paths.filter((q) => q !== p).sort();
  }
  if (opts.xattrs !== false) {
    for (const [p, attrs] of readXattrs(root)) {
      const e = tree.get(p);
      if (e) e.xattrs = attrs;
    }
  }
  return tree;
}

export interface CompareOptions {
  /**
   * Compare mtimes only where the expected entry's mtime is before this
   * (seconds): times the reference preserved (base layers, context files,
   * archives) must be preserved too; times of things the build made are
   * "now" on each side and not comparable.
   */
  preservedBefore?: number;
  /** Paths (exact, or a prefix ending in `/`) left out of the comparison. */
  ignore?: string[];
}

export function describeEntry(e: TreeEntry): string {
  const parts = [e.type, e.mode.toString(8).padStart(4, '0'), `${e.uid}:${e.gid}`];
  if (e.type === 'file') parts.push(`${e.size}B`, `sha256:${e.sha256!.slice(0, 12)}`);
  if (e.target !== undefined) parts.push(`-> ${e.target}`);
  if (e.device) parts.push(`dev ${e.device}`);
  if (e.links) parts.push(`links=[${e.links.join(',')}]`);
  if (e.xattrs) parts.push(`xattrs=${Object.keys(e.xattrs).sort().join(',')}`);
  return parts.join(' ');
}

function ignored(path: string, ignore: string[] | undefined): boolean {
  return (ignore ?? []).some((i) => (i.endsWith('/') ? path.startsWith(i) || `${path}/` === i : path === i));
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/** Differences of one entry, as `field: expected ≠ actual` phrases. */
function entryDifferences(a: TreeEntry, b: TreeEntry, opts: CompareOptions): string[] {
  const out: string[] = [];
  const diff = (field: string, x: unknown, y: unknown, show = (v: unknown) => String(v)) => {
    if (x !== y) out.push(`${field} ${show(x)} ≠ ${show(y)}`);
  };
  diff('type', a.type, b.type);
  if (a.type !== b.type) return out;
  diff('mode', a.mode, b.mode, (v) => (v as number).toString(8).padStart(4, '0'));
  diff('owner', `${a.uid}:${a.gid}`, `${b.uid}:${b.gid}`);
  diff('size', a.size, b.size);
  if (a.size === b.size) diff('content', a.sha256, b.sha256, (v) => `sha256:${String(v).slice(0, 12)}`);
  diff('target', a.target, b.target);
  diff('device', a.device, b.device);
  diff('hardlinks', (a.links ?? []).join(','), (b.links ?? []).join(','), (v) => `[${v}]`);
  diff('xattrs', JSON.stringify(a.xattrs ?? {}), JSON.stringify(b.xattrs ?? {}));
  if (opts.preservedBefore !== undefined && a.mtime < opts.preservedBefore) {
    diff('mtime', a.mtime, b.mtime, (v) => iso(v as number));
  }
  return out;
}

/**
 * Readable differences between an expected and an actual tree, one line per
 * path, sorted; empty when they match.
 */
export function compareTrees(
  expected: Tree,
  actual: Tree,
  opts: CompareOptions = {},
  names: { expected: string; actual: string } = { expected: 'expected', actual: 'actual' },
): string[] {
  const paths = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  const out: string[] = [];
  for (const p of paths) {
    if (ignored(p, opts.ignore)) continue;
    const a = expected.get(p);
    const b = actual.get(p);
    if (a && !b) out.push(`- ${p}  only in ${names.expected}: ${describeEntry(a)}`);
    else if (!a && b) out.push(`+ ${p}  only in ${names.actual}: ${describeEntry(b)}`);
    else if (a && b) {
      const d = entryDifferences(a, b, opts);
      if (d.length) out.push(`~ ${p}  ${d.join('; ')}  (${names.expected} ≠ ${names.actual})`);
    }
  }
  return out;
}
