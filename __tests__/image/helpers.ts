/** Test helpers for src/image: temp dirs, GNU tar layers. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export async function tempDir(prefix = 'kiln-image-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes files (path → content) under a fresh temp dir and returns it. */
export async function makeTree(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir('kiln-tree-');
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
  return dir;
}

/** A layer tar made by GNU tar from `files`, reproducible (sorted, root-owned, mtime 0). */
export async function gnuTarLayer(files: Record<string, string | Buffer>): Promise<Buffer> {
  const dir = await makeTree(files);
  try {
    return execFileSync(
      'tar',
      ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-cf', '-', '-C', dir, '.'],
      { maxBuffer: 1 << 30 },
    );
  } finally {
    await removeDir(dir);
  }
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Of(data: Buffer | string): string {
  return `sha256:${sha256Hex(data)}`;
}

/** Pseudo-random bytes (deterministic), compressible enough to be realistic. */
export function noise(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = i % 3 === 0 ? x & 0xff : 97 + (x % 7);
  }
  return b;
}
