/**
 * kaniko's `--context tar://<file>` and `--context tar://stdin`: the build
 * context as a tar (plain, gzip, bzip2, xz or zstd, told by content). The CLI
 * unpacks it into a fresh directory — through the same safe extraction as
 * image layers, so no entry lands outside it (a `.wh.` name is read as a
 * whiteout there too) — builds from that directory, and removes it after.
 * stdin is first written to a file in the same directory: nothing is held in
 * memory.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { detectArchive, unpackArchive } from '../executor/steps/add-archive.js';
import { UsageError } from '../flags/parser.js';

const PREFIX = 'tar://';

/** The archive a --context value names (a path, or `stdin`), or undefined for a directory. */
export function contextArchive(value: string | undefined): string | undefined {
  if (value === undefined || !value.toLowerCase().startsWith(PREFIX)) return undefined;
  const source = value.slice(PREFIX.length);
  if (!source)
    throw new UsageError(
      `--context "${value}": name the archive (tar://path/to/context.tar.gz or tar://stdin)`,
    );
  return source;
}

export interface UnpackedContext {
  dir: string;
  /** Removes the directory (and the stdin copy); safe to call twice. */
  cleanup(): Promise<void>;
}

export async function unpackContext(
  source: string,
  opts: { cwd: string; parent: string; stdin?: () => Readable },
): Promise<UnpackedContext> {
  await fs.mkdir(opts.parent, { recursive: true });
  const root = await fs.mkdtemp(path.join(opts.parent, 'kiln-context-'));
  const cleanup = () => fs.rm(root, { recursive: true, force: true });
  try {
    let file = path.resolve(opts.cwd, source);
    if (source === 'stdin') {
      if (!opts.stdin) throw new UsageError('--context tar://stdin: no standard input here');
      file = path.join(root, 'stdin.tar');
      await pipeline(opts.stdin(), createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    }
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) throw new UsageError(`--context tar://${source}: ${file} is not a file`);
    const kind = await detectArchive(file);
    if (!kind) {
      throw new UsageError(
        `--context tar://${source}: not a tar archive (plain, or compressed with gzip, bzip2, xz or zstd)`,
      );
    }
    const dir = path.join(root, 'context');
    await fs.mkdir(dir);
    await unpackArchive(file, kind, dir, undefined);
    if (source === 'stdin') await fs.rm(file);
    return { dir, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
