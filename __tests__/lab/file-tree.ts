/**
 * Writes a described file tree (build contexts, archives, base-image layers)
 * with exact modes, owners and mtimes: regular files, directories, symlinks,
 * hardlinks and tar archives (plain, gzip, xz, bzip2) made by GNU tar.
 */
import { execFileSync } from 'node:child_process';
import {
  chmod,
  lchown,
  link,
  lutimes,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** 2001-09-09T01:46:40Z: every written entry's mtime unless it says otherwise. */
export const CONTEXT_MTIME = 1_000_000_000;

interface Owned {
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds; default CONTEXT_MTIME. */
  mtime?: number;
  /** Extended attributes, name → value as setfattr takes it (`0x…` for hex). */
  xattrs?: Record<string, string>;
}

export type FileEntry =
  /** A regular file, 0644 root:root. */
  | string
  | (Owned & { content: string | Buffer })
  | (Owned & { dir: true })
  | (Owned & { symlink: string })
  /** A hardlink to another path of the same tree (written first). */
  | { hardlink: string }
  /** A tar archive of these entries, made by GNU tar with numeric owners. */
  | (Owned & { archive: 'tar' | 'tar.gz' | 'tar.xz' | 'tar.bz2'; files: FileTree });

export type FileTree = Record<string, FileEntry>;

const COMPRESS_FLAG = { tar: [], 'tar.gz': ['-z'], 'tar.xz': ['-J'], 'tar.bz2': ['-j'] } as const;

function owned(e: FileEntry): Owned {
  return typeof e === 'string' || 'hardlink' in e ? {} : e;
}

/** Writes `tree` under `root` (created if missing). Needs root for owners other than the caller. */
export async function writeFileTree(root: string, tree: FileTree): Promise<void> {
  await mkdir(root, { recursive: true });
  const paths = Object.keys(tree).sort((a, b) => {
    const ha = isHardlink(tree[a]!);
    const hb = isHardlink(tree[b]!);
    return ha === hb ? a.localeCompare(b) : ha ? 1 : -1;
  });
  for (const p of paths) {
    const e = tree[p]!;
    const abs = join(root, p);
    await mkdir(dirname(abs), { recursive: true });
    if (typeof e === 'string' || 'content' in e) {
      await writeFile(abs, typeof e === 'string' ? e : e.content);
      await chmod(abs, owned(e).mode ?? 0o644);
    } else if ('dir' in e) {
      await mkdir(abs, { recursive: true });
      await chmod(abs, e.mode ?? 0o755);
    } else if ('symlink' in e) {
      await symlink(e.symlink, abs);
    } else if ('hardlink' in e) {
      await link(join(root, e.hardlink), abs);
    } else {
      await writeArchive(abs, e.archive, e.files);
      await chmod(abs, e.mode ?? 0o644);
    }
    if (!('hardlink' in (typeof e === 'string' ? {} : e))) {
      const o = owned(e);
      if (o.uid !== undefined || o.gid !== undefined) await lchown(abs, o.uid ?? 0, o.gid ?? 0);
      for (const [name, value] of Object.entries(o.xattrs ?? {})) {
        execFileSync('setfattr', ['-h', '-n', name, '-v', value, abs], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      }
    }
  }
  // Times last, deepest first, so that writing children does not move a directory's mtime.
  const all = await listAll(root);
  for (const rel of all.reverse()) {
    const e = tree[rel];
    const t = (e && owned(e).mtime) ?? CONTEXT_MTIME;
    await lutimes(join(root, rel), t, t);
  }
  await lutimes(root, CONTEXT_MTIME, CONTEXT_MTIME);
}

function isHardlink(e: FileEntry): boolean {
  return typeof e !== 'string' && 'hardlink' in e;
}

async function listAll(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const p = rel ? `${rel}/${d.name}` : d.name;
    out.push(p);
    if (d.isDirectory()) out.push(...(await listAll(root, p)));
  }
  return out;
}

async function writeArchive(out: string, kind: keyof typeof COMPRESS_FLAG, files: FileTree): Promise<void> {
  const src = await mkdtemp(`${out}.src-`);
  try {
    await writeFileTree(src, files);
    const top = (await readdir(src)).sort();
    execFileSync(
      'tar',
      [
        '--sort=name',
        '--numeric-owner',
        '--format=gnu',
        ...COMPRESS_FLAG[kind],
        '-C',
        src,
        '-cf',
        out,
        '--',
        ...top,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}
