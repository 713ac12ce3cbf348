/**
 * A directory holding an image's files, materialised lazily: the layers are
 * extracted only when a step needs the files (a RUN or COPY that missed the
 * cache, a COPY --from reading it). A build whose every step hits the cache
 * never extracts anything. A stage root in the workspace is one; so is the
 * tree of an image read by COPY --from.
 */
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { extractLayer, type KeptPathsView } from '../../archive/extract.js';
import type { XattrAccess } from '../../archive/xattr.js';
import type { Image } from '../../image/image.js';
import type { Logger } from '../../log.js';

export class ImageDir {
  /**
   * A new ImageDir in `dir` (an empty directory): made 0755 like an image's /.
   * `keep`: paths extraction leaves alone (an in-place root, see extract.ts).
   */
  static async create(
    dir: string,
    xattrs: XattrAccess | undefined,
    log: Logger,
    keep?: KeptPathsView,
  ): Promise<ImageDir> {
    await fs.chmod(dir, 0o755);
    return new ImageDir(dir, xattrs, log, keep);
  }

  /** How many of the image's layers are in `dir`. */
  private applied = 0;
  /** Bumped whenever files change by extraction (walk snapshot indexes must be rebuilt). */
  generation = 0;

  private constructor(
    readonly dir: string,
    private readonly xattrs: XattrAccess | undefined,
    private readonly log: Logger,
    private readonly keep?: KeptPathsView,
  ) {}

  /** How many of the image's layers are in `dir`. */
  get layerCount(): number {
    return this.applied;
  }

  /** The files of the image's first `count` layers were put in `dir` another way (a stored tree copied in). */
  restored(count: number): void {
    this.applied = count;
    this.generation++;
  }

  /** The materialisation under way: a second caller waits for it instead of extracting again. */
  private pending: Promise<void> = Promise.resolve();

  /**
   * Brings `dir` up to `image` by extracting the layers it lacks. Calls are
   * serialised: two stages reading one finished stage (COPY --from, from the
   * builds of two platforms) extract its layers once.
   */
  materialize(image: Image, label: string): Promise<void> {
    const run = this.pending.then(() => this.extractMissing(image, label));
    this.pending = run.catch(() => undefined);
    return run;
  }

  private async extractMissing(image: Image, label: string): Promise<void> {
    const layers = image.layers;
    if (this.applied > layers.length) throw new Error(`${label}: the filesystem is ahead of its image`);
    if (this.applied === layers.length) return;
    const started = Date.now();
    let bytes = 0;
    const kept: Record<string, number> = {};
    const key = `extract ${this.dir}`;
    try {
      for (let i = this.applied; i < layers.length; i++) {
        const layer = layers[i]!;
        const mib = (layer.size / 1048576).toFixed(1);
        this.log.progress?.(key, `${label} extracting layer ${i + 1}/${layers.length} (${mib} MiB)`);
        const stats = await extractLayer(layer.openUncompressed() as Readable, this.dir, {
          xattrs: this.xattrs,
          logger: this.log,
          ...(this.keep ? { keep: this.keep } : {}),
        });
        bytes += stats.bytes;
        for (const [k, n] of Object.entries(stats.keptEntries ?? {})) kept[k] = (kept[k] ?? 0) + n;
        this.applied = i + 1;
        this.generation++;
      }
    } finally {
      this.log.progress?.(key, undefined);
    }
    this.log.debug(
      `${label}: extracted ${layers.length} layer(s), ${(bytes / 1048576).toFixed(1)} MiB in ${Date.now() - started} ms`,
    );
    this.log.debug(`timing: extract ${Date.now() - started} ms ${label}`);
    const skipped = Object.entries(kept).map(([k, n]) => `${n} under /${k}`);
    if (skipped.length) this.log.debug(`${label}: entries left out (kept paths): ${skipped.join(', ')}`);
  }

  /** After a step wrote its change into `dir` itself (RUN commit, COPY): the fs matches `image`. */
  caughtUp(image: Image): void {
    this.applied = image.layers.length;
  }
}
