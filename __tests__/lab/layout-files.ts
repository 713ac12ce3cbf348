/**
 * Reading what a build wrote, for tests: every file of a directory with gzip
 * layers decompressed (to grep for a secret), and a file's content in an
 * OCI layout's image (the top-most layer that has it).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { runCommand } from './differential-lab.js';

/** Every file under dir, gzip layers decompressed, as one buffer per file. */
export async function allBytes(dir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const out: { file: string; bytes: Buffer }[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    let bytes = await fs.readFile(file);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
    out.push({ file, bytes });
  }
  return out;
}

/** The content of `file` (no leading slash) in the image of an OCI layout; undefined when no layer has it. */
export async function fileInLayout(layout: string, file: string): Promise<string | undefined> {
  const index = JSON.parse(await fs.readFile(path.join(layout, 'index.json'), 'utf8'));
  const blob = (d: string) => path.join(layout, 'blobs/sha256', d.slice(7));
  const manifest = JSON.parse(await fs.readFile(blob(index.manifests[0].digest), 'utf8'));
  for (const layer of [...manifest.layers].reverse()) {
    const text = await runCommand('tar', ['-xzOf', blob(layer.digest), file]).catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}
