/**
 * Shared by the archive tests: building tar bytes by hand, temp dirs, running
 * GNU tar, and a snapshot of a directory tree to compare two extractions.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TarEntryType } from '../../src/archive/tar-format.js';
import { readTar } from '../../src/archive/tar-reader.js';
import { type TarWriteEntry, type TarWriteHeader, tarChunks } from '../../src/archive/tar-writer.js';

export async function tempDir(
  prefix = 'kiln-archive-',
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Header defaults for hand-made entries. */
export function h(name: string, type: TarEntryType, extra: Partial<TarWriteHeader> = {}): TarWriteHeader {
  return {
    name,
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    mtime: { sec: 1_600_000_000, nsec: 0 },
    ...extra,
  };
}

export function file(
  name: string,
  content: string | Buffer,
  extra: Partial<TarWriteHeader> = {},
): TarWriteEntry {
  const body = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { header: h(name, 'file', { size: body.length, ...extra }), body };
}
export const dir = (name: string, extra: Partial<TarWriteHeader> = {}): TarWriteEntry => ({
  header: h(name, 'dir', extra),
});
export const symlink = (
  name: string,
  target: string,
  extra: Partial<TarWriteHeader> = {},
): TarWriteEntry => ({
  header: h(name, 'symlink', { linkname: target, mode: 0o777, ...extra }),
});
export const hardlink = (name: string, target: string): TarWriteEntry => ({
  header: h(name, 'hardlink', { linkname: target }),
});

/** The bytes of a tar made from entries (names are written verbatim, however hostile). */
export async function tarBytes(entries: TarWriteEntry[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of tarChunks(entries)) parts.push(c);
  return Buffer.concat(parts);
}

export async function tarStream(entries: TarWriteEntry[]): Promise<Readable> {
  return bufferStream(await tarBytes(entries));
}

/** A stream that hands out `buf` in chunks of `chunk` bytes (to exercise block boundaries). */
export function bufferStream(buf: Buffer, chunk = 7919): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
    })(),
    { objectMode: false },
  );
}

export interface ListedEntry {
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: string;
  linkname: string;
  dev?: string;
  xattrs?: Record<string, string>;
  sha256?: string;
}

/** Everything our reader sees in a tar, bodies hashed. */
export async function listTar(stream: Readable): Promise<ListedEntry[]> {
  const out: ListedEntry[] = [];
  for await (const e of readTar(stream)) {
    const x = e.header;
    const hash = createHash('sha256');
    for await (const c of e.chunks()) hash.update(c);
    const item: ListedEntry = {
      name: x.name,
      type: x.type,
      mode: x.mode,
      uid: x.uid,
      gid: x.gid,
      size: x.size,
      mtime: `${x.mtime.sec}.${String(x.mtime.nsec).padStart(9, '0')}`,
      linkname: x.linkname,
    };
    if (x.type === 'char' || x.type === 'block') item.dev = `${x.devmajor},${x.devminor}`;
    if (Object.keys(x.xattrs).length) {
      item.xattrs = Object.fromEntries(Object.entries(x.xattrs).map(([k, v]) => [k, v.toString('base64')]));
    }
    if (x.type === 'file') item.sha256 = hash.digest('hex');
    out.push(item);
  }
  return out;
}

export const listTarFile = (path: string) => listTar(createReadStream(path));

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; input?: Buffer } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        cwd: opts.cwd,
        maxBuffer: 64 << 20,
        encoding: 'buffer',
        env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr.toString()}`));
        else resolve(stdout.toString());
      },
    );
    if (opts.input) child.stdin!.end(opts.input);
  });
}

export interface TreeNode {
  type: string;
  mode: string;
  uid: number;
  gid: number;
  /** Nanoseconds, rounded to the microsecond: Node sets times through a double. */
  mtimeUs?: string;
  size?: number;
  sha256?: string;
  link?: string;
  rdev?: string;
  xattrs?: Record<string, string>;
}

export interface TreeOptions {
  /** Compare mtimes (default true); directories included. */
  mtimes?: boolean;
  /** Read xattrs with getfattr (needs the attr tools). */
  xattrs?: boolean;
}

/** Path → metadata of every entry under root (root excluded), plus hardlink groups. */
export async function snapshotTree(
  root: string,
  opts: TreeOptions = {},
): Promise<{ nodes: Record<string, TreeNode>; hardlinks: string[][] }> {
  const nodes: Record<string, TreeNode> = {};
  const inodes = new Map<bigint, string[]>();
  const walk = async (rel: string) => {
    const names = (await readdir(rel ? join(root, rel) : root)).sort();
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const p = join(root, r);
      const st = await lstat(p, { bigint: true });
      const fmt = Number(st.mode) & 0o170000;
      const type =
        { 16807: 'file', 9604: 'dir', 21609: 'symlink', 4802: 'char', 14406: 'block', 2401: 'fifo' }[fmt] ??
        'other';
      const node: TreeNode = {
        type,
        mode: (Number(st.mode) & 0o7777).toString(8),
        uid: Number(st.uid),
        gid: Number(st.gid),
      };
      if (opts.mtimes !== false) node.mtimeUs = ((st.mtimeNs + 500n) / 1000n).toString();
      if (type === 'file') {
        node.size = Number(st.size);
        node.sha256 = createHash('sha256')
          .update(await readFile(p))
          .digest('hex');
        if (st.nlink > 1n) inodes.set(st.ino, [...(inodes.get(st.ino) ?? []), r]);
      }
      if (type === 'symlink') node.link = await readlink(p);
      if (type === 'char' || type === 'block') node.rdev = st.rdev.toString();
      nodes[r] = node;
      if (type === 'dir') await walk(r);
    }
  };
  await walk('');
  if (opts.xattrs) {
    const dump = await run('getfattr', [
      '-R',
      '-h',
      '-d',
      '-m',
      '-',
      '-e',
      'base64',
      '--absolute-names',
      root,
    ]).catch((e: Error) => e.message);
    let current: TreeNode | undefined;
    for (const line of dump.split('\n')) {
      if (line.startsWith('# file: ')) {
        const p = line.slice(8);
        current = p === root ? undefined : nodes[p.slice(root.length + 1)];
      } else if (current && line.includes('=')) {
        const eq = line.indexOf('=');
        current.xattrs = { ...current.xattrs, [line.slice(0, eq)]: line.slice(eq + 1) };
      }
    }
  }
  const hardlinks = [...inodes.values()].map((g) => g.sort()).sort();
  return { nodes, hardlinks };
}
