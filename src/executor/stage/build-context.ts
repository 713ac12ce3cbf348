/**
 * What every stage of one build shares: options, logger, workspace, the
 * registry client, the build context tree, the lazily chosen sandbox and
 * snapshot mode, pulled images, finished stages, and the step reports.
 */

import type { Readable } from 'node:stream';
import type { XattrAccess } from '../../archive/xattr.js';
import type { LayerCache } from '../../cache/layer-cache.js';
import type { Layer } from '../../image/blob.js';
import type { Compression } from '../../image/compression.js';
import type { Image } from '../../image/image.js';
import { writeLayerBlob } from '../../image/layer.js';
import type { Platform } from '../../image/manifest.js';
import type { Logger } from '../../log.js';
import type { RegistryClient } from '../../registry/client.js';
import type { Sandbox } from '../isolation/isolation.js';
import type { BuildOptions } from '../options.js';
import type { StepReport } from '../result.js';
import type { SourceTree } from '../steps/source-tree.js';
import type { Workspace } from '../workspace.js';
import type { StageFilesystem } from './stage-fs.js';

export interface FinishedStage {
  image: Image;
  fs: StageFilesystem;
  /** Cache key of the stage's last step (what a stage built FROM it, or COPY --from it, chains on). */
  key: string;
  label: string;
}

export interface BuildContext {
  readonly options: BuildOptions;
  readonly log: Logger;
  readonly workspace: Workspace;
  readonly registry: RegistryClient;
  readonly context: SourceTree;
  readonly platform: Platform;
  /** History/config timestamp (RFC 3339). */
  readonly created: string;
  /** Seconds: layer mtimes newer than this are clamped (--reproducible / SOURCE_DATE_EPOCH). */
  readonly clampMtime: number | undefined;
  readonly xattrs: XattrAccess | undefined;
  readonly cache: LayerCache | undefined;
  readonly stages: Map<number, FinishedStage>;
  readonly steps: StepReport[];
  /** Aborted when the build fails: running RUNs are killed. */
  readonly signal: AbortSignal;
  /** The RUN sandbox, chosen on first use (throws with the reason when none works). */
  sandbox(): Promise<Sandbox>;
  /** Whether overlay snapshots work in the workspace (probed once). */
  overlayProbe(): Promise<true | string>;
  /** Pulls (once per reference) an image for FROM or COPY --from. */
  pullImage(ref: string, platform: Platform): Promise<Image>;
}

/** `12.3 MiB` for logs. */
export function layerSize(layer: Layer): string {
  return `${(layer.size / 1048576).toFixed(1)} MiB`;
}

/** Writes a layer tar into the workspace as a blob (gzip by default), hashed in one pass. */
export async function storeLayer(
  ctx: BuildContext,
  tar: Readable,
  compression: Compression = 'gzip',
): Promise<Layer> {
  const name =
    compression === 'gzip' ? 'layer.tar.gz' : compression === 'zstd' ? 'layer.tar.zst' : 'layer.tar';
  return writeLayerBlob(tar, ctx.workspace.file(name), { compression, level: ctx.options.compressionLevel });
}
