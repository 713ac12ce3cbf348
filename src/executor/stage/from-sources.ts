/**
 * Where COPY --from reads: a finished stage's root or an image's files.
 * The cache key of a source is known at once; its tree is materialised only
 * when a step that missed the cache reads it (once, however many steps do).
 */
import type { Platform } from '../../image/manifest.js';
import type { BuildSession } from '../session.js';
import type { FromResolver, FromSource } from '../steps/copy-instruction.js';
import { SourceTree } from '../steps/source-tree.js';
import type { FinishedStage } from './stage-builder.js';

/** `fn` run on first call only, tracked by the session (it writes in the workspace). */
function once<T>(session: BuildSession, fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= session.track(fn());
    return p;
  };
}

export class FromSources implements FromResolver {
  private readonly images = new Map<string, Promise<FromSource>>();
  private readonly stages = new Map<number, FromSource>();

  constructor(
    private readonly session: BuildSession,
    private readonly finished: ReadonlyMap<number, FinishedStage>,
    /** The platform images named by --from are pulled for. */
    private readonly platform: Platform,
  ) {}

  async stageTree(index: number): Promise<FromSource> {
    const known = this.stages.get(index);
    if (known) return known;
    const s = this.finished.get(index);
    if (!s) throw new Error(`internal: stage ${index} is not built yet`);
    const tree = once(this.session, async () => {
      await s.root.materialize(s.image, s.label);
      return new SourceTree(s.root.dir, `stage ${s.label}`);
    });
    const source = { key: s.key, tree };
    this.stages.set(index, source);
    return source;
  }

  imageTree(ref: string): Promise<FromSource> {
    let p = this.images.get(ref);
    if (!p) {
      p = (async () => {
        const { session } = this;
        const img = await session.pullImage(ref, this.platform);
        const tree = once(session, async () => {
          // A root of the build's isolation: with a snapshot store, a mount of the stored layers.
          const root = await session.isolation.createRoot('copy-from-image', 'source');
          await root.materialize(img, ref);
          return new SourceTree(root.dir, `image ${ref}`);
        });
        return { key: img.digest(), tree };
      })();
      this.images.set(ref, p);
    }
    return p;
  }
}
