/**
 * Shared by the archive tests: building tar bytes by hand, temp dirs, running
 * GNU tar, and a snapshot of a directory tree to compare two extractions.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  chmod,
  symlink as fsSymlink,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { POOL_AFTER } from '../../src/archive/extract.js';
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

/**
 * Entries that get the extractor's file pool going (more new files than
 * POOL_AFTER, in a directory `pad-<tag>` of their own): put in front of a
 * layer, the entries after them meet a pool with files still queued.
 */
export function poolPadding(tag: string | number): TarWriteEntry[] {
  const files = Array.from({ length: POOL_AFTER + 40 }, (_, i) => file(`pad-${tag}/f-${i}`, `pad ${i}\n`));
  return [dir(`pad-${tag}`), ...files];
}

/** Names without the directories poolPadding() adds. */
export const withoutPadding = (names: string[]): string[] => names.filter((n) => !/^pad-[^/]*(\/|$)/.test(n));

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

// A Map, not an object literal: biome's formatter rewrites octal object keys wrongly (0o100000 → 16807).
const FILE_TYPES = new Map<number, string>([
  [0o100000, 'file'],
  [0o040000, 'dir'],
  [0o120000, 'symlink'],
  [0o020000, 'char'],
  [0o060000, 'block'],
  [0o010000, 'fifo'],
]);

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
      const type = FILE_TYPES.get(fmt) ?? 'other';
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

/**
 * A tree with every feature a layer can carry. With `privileged`, also
 * foreign owners, huge ids, devices, security.capability and trusted.* xattrs.
 * Every mtime is set to a value a double holds exactly.
 */
export async function buildFeatureTree(root: string, privileged: boolean): Promise<void> {
  const p = (...parts: string[]) => join(root, ...parts);
  await mkdir(p('etc', 'deep', 'er'), { recursive: true });
  await mkdir(p('tmp'));
  await chmod(p('tmp'), 0o1777);
  await mkdir(p('srv'), { mode: 0o2750 });
  await chmod(p('srv'), 0o2750);
  await writeFile(p('etc', 'plain'), 'plain\n');
  await writeFile(p('etc', 'empty'), '');
  await writeFile(p('etc', 'deep', 'er', 'big'), Buffer.alloc(3 << 20, 0x5a));
  await writeFile(p('etc', 'setuid'), '#!/bin/sh\n');
  await writeFile(p('etc', 'hl-a'), 'shared');
  await link(p('etc', 'hl-a'), p('etc', 'hl-b'));
  await link(p('etc', 'hl-a'), p('srv', 'hl-c'));
  await fsSymlink('/etc/plain', p('abs-link'));
  await fsSymlink('../etc/plain', p('tmp', 'rel-link'));
  await fsSymlink('dangling/nowhere', p('dangling'));
  const long = p('etc', 'l'.repeat(100), 'm'.repeat(100));
  await mkdir(long, { recursive: true });
  await writeFile(join(long, 'n'.repeat(120)), 'long');
  await writeFile(p('etc', 'unicodé ünd spaces'), 'u');
  await run('mkfifo', ['-m', '0640', p('tmp', 'fifo')]);
  await run('setfattr', ['-n', 'user.colour', '-v', 'blue', p('etc', 'plain')]);
  await run('setfattr', ['-n', 'user.bin', '-v', '0x00ff0a3d', p('etc', 'deep')]);
  if (privileged) {
    await lchown(p('etc', 'setuid'), 1000, 1000);
    await chmod(p('etc', 'setuid'), 0o6755);
    await lchown(p('srv'), 33, 33);
    await chmod(p('srv'), 0o2750);
    await writeFile(p('srv', 'huge-ids'), 'ids');
    await lchown(p('srv', 'huge-ids'), 3_000_000, 4_000_000);
    await lchown(p('abs-link'), 5, 6);
    await run('mknod', ['-m', '0666', p('etc', 'null'), 'c', '1', '3']);
    await run('mknod', ['-m', '0660', p('etc', 'disk'), 'b', '8', '0']);
    await lchown(p('etc', 'disk'), 0, 6);
    await run('setcap', ['cap_net_raw+ep', p('etc', 'setuid')]).catch(() =>
      run('setfattr', [
        '-n',
        'security.capability',
        '-v',
        '0sAQAAAgAgAAAAAAAAAAAAAAAAAAA=',
        p('etc', 'setuid'),
      ]),
    );
    await chmod(p('etc', 'setuid'), 0o6755); // setcap may have cleared nothing, but be sure
    await run('setfattr', ['-n', 'trusted.secret', '-v', 'nope', p('etc', 'plain')]);
  }
  // Times last, deepest first, so directory mtimes stick.
  const all: string[] = [];
  const walk = async (rel: string) => {
    for (const n of await readdir(rel ? join(root, rel) : root)) {
      const r = rel ? `${rel}/${n}` : n;
      all.push(r);
      if ((await lstat(join(root, r))).isDirectory()) await walk(r);
    }
  };
  await walk('');
  all.sort((a, b) => b.split('/').length - a.split('/').length);
  let t = 1_600_000_000;
  for (const r of all) {
    t += 1.5;
    await lutimes(join(root, r), t - 1.5, t);
  }
}

/** The tree without `trusted.*` xattrs (which layers never carry), for comparing with what a layer gives back. */
export function withoutTrustedXattrs(nodes: Record<string, TreeNode>): Record<string, TreeNode> {
  const out: Record<string, TreeNode> = {};
  for (const [k, v] of Object.entries(nodes)) {
    const x = Object.entries(v.xattrs ?? {}).filter(([n]) => !n.startsWith('trusted.'));
    const { xattrs: _x, ...rest } = v;
    out[k] = x.length ? { ...rest, xattrs: Object.fromEntries(x) } : rest;
  }
  return out;
}
