/**
 * Where overlay does not work (Kiln is not root, RUN runs rootless, the
 * snapshot mode is walk, or the store's filesystem refuses overlay), a stage
 * root is a directory of the workspace that RUN changes in place. The store
 * then keeps whole trees: the files of a stage's starting point (its base,
 * or the last cached step before the first that runs) are saved once, and
 * the next build copies them in instead of extracting every layer again —
 * with reflinks where the filesystem clones files (btrfs, XFS), else as
 * plain copies. Hardlinks would be faster still, but a RUN writing a file
 * in place would then write into the store.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Image } from '../../image/image.js';
import type { Logger } from '../../log.js';
import type { ImageDir } from '../fs/image-dir.js';
import { CLEAN_ENV } from '../isolation/host-tools.js';
import { chainIds } from './layout.js';
import type { SnapshotStore } from './snapshot-store.js';

const execFileP = promisify(execFile);

export type CopyMethod = 'reflink' | 'copy';

/** Copies every entry of `from` into the empty directory `to` (cp -a: owners, modes, times, xattrs, links). */
async function copyTree(from: string, to: string, method: CopyMethod): Promise<void> {
  // `to` is empty: cp creates every entry itself and never writes through a symlink it did not copy.
  const reflink = method === 'reflink' ? '--reflink=always' : '--reflink=never';
  await execFileP('cp', ['-a', reflink, '--', `${from}/.`, `${to}/`], { env: CLEAN_ENV });
}

/** Whether files in `dir` can be cloned (FICLONE): one small probe file. */
export async function probeReflink(dir: string): Promise<CopyMethod> {
  const a = join(dir, 'reflink-probe');
  await writeFile(a, 'probe');
  try {
    await execFileP('cp', ['--reflink=always', a, `${a}.copy`], { env: CLEAN_ENV });
    return 'reflink';
  } catch {
    return 'copy';
  }
}

export class StoredTrees {
  constructor(
    private readonly store: SnapshotStore,
    readonly method: CopyMethod,
    private readonly log: Logger,
  ) {}

  /**
   * Brings the empty `files` up to `image`: copies in the stored tree of the
   * longest prefix of its layers the store has, extracts the rest, and saves
   * the result as a tree when it was not stored yet.
   */
  async materialize(files: ImageDir, image: Image, label: string): Promise<void> {
    const layers = image.layers;
    const chains = chainIds(layers.map((l) => l.diffId));
    let restored = 0;
    for (let k = layers.length; k > 0 && restored === 0; k--) {
      const tree = await this.store.get(chains[k - 1]!, 'tree');
      if (!tree) continue;
      const started = Date.now();
      await copyTree(tree.diff, files.dir, this.method);
      files.restored(k);
      restored = k;
      this.log.debug(
        `${label}: ${k} layer(s) copied from a stored tree (${this.method}) in ${Date.now() - started} ms`,
      );
    }
    await files.materialize(image, label);
    if (restored === layers.length) return;
    const started = Date.now();
    await this.store.ensure(
      chains[layers.length - 1]!,
      layers[layers.length - 1]!.diffId,
      (t) => copyTree(files.dir, t.diff, this.method),
      'tree',
    );
    this.log.debug(
      `${label}: saved the tree of ${layers.length} layer(s) (${this.method}) in ${Date.now() - started} ms`,
    );
  }
}
