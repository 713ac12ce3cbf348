/**
 * Layers that can be reopened (go-containerregistry's tarball.LayerFromOpener):
 * digest, diffID and size are computed once, while the layer is written, and
 * the bytes are streamed again from their source whenever needed.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LayerWriteError } from '../archive/errors.js';
import { DiskFullError, explainWrite } from '../fs/disk-full.js';
import type { Layer } from './blob.js';
import { type Compression, createCompressor, createDecompressor } from './compression.js';
import { type Digest, digestOfHash } from './digest.js';
import { layerMediaTypeFor, type ManifestFormat } from './format.js';
import { layerCompression, MediaType } from './media-types.js';
import { pipeTo, verifyStream } from './verify.js';
import { discardStream, FILE_CHUNK } from './write-stream.js';

export interface LayerInfo {
  mediaType: string;
  /** Digest of the stored (compressed) bytes. */
  digest: Digest;
  /** Digest of the uncompressed tar. */
  diffId: Digest;
  /** Size of the stored bytes. */
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
}

/** The OCI (default) or Docker media type for a layer compressed with `compression`. */
export function layerMediaType(compression: Compression, format: ManifestFormat = 'oci'): string {
  const oci =
    compression === 'gzip'
      ? MediaType.OciLayerGzip
      : compression === 'zstd'
        ? MediaType.OciLayerZstd
        : MediaType.OciLayer;
  return layerMediaTypeFor(oci, format);
}

/**
 * A Layer whose stored bytes come from `open()`; the uncompressed tar is
 * `open()` piped through the decompressor its media type names.
 */
export function layerFromOpener(info: LayerInfo, open: () => Readable): Layer {
  const compression = layerCompression(info.mediaType);
  return Object.freeze({
    ...info,
    open,
    openUncompressed: () =>
      compression === 'none' ? open() : pipeTo(open(), createDecompressor(compression)),
  });
}

export interface FileLayerInfo extends LayerInfo {
  file: string;
  /**
   * Check digest and size on every open (and the diffID on every
   * uncompressed open). For files Kiln did not write itself (an OCI layout
   * read from disk); off for layers Kiln wrote and hashed.
   */
  verify?: boolean;
}

/** A layer stored in a file, reopenable any number of times. */
export function fileLayer(info: FileLayerInfo): Layer {
  const { file, verify, ...rest } = info;
  const what = `layer ${info.digest} (${file})`;
  const raw = () => createReadStream(file, { highWaterMark: FILE_CHUNK });
  const open = verify ? () => verifyStream(raw(), { digest: info.digest, size: info.size, what }) : raw;
  const layer = layerFromOpener(rest, open);
  if (!verify) return layer;
  return Object.freeze({
    ...layer,
    openUncompressed: () =>
      verifyStream(layer.openUncompressed(), { digest: info.diffId, what: `uncompressed ${what}` }),
  });
}

export interface WriteLayerOptions {
  compression: Compression;
  /** gzip 1–9 (default 6, as gzip -6), zstd 1–19 (default 3). */
  level?: number;
  /** Media type to record; default the OCI type for the compression. */
  mediaType?: string;
  annotations?: Record<string, string>;
}

/**
 * Streams a tar into `file`, compressed, in one pass: the diffID is hashed
 * from the tar as it arrives, the digest and size from the bytes written.
 * Nothing is buffered beyond stream chunks. On failure the partial file is
 * removed and the error says which file.
 */
export async function writeLayerBlob(tar: Readable, file: string, opts: WriteLayerOptions): Promise<Layer> {
  const diff = new HashCounter();
  const blob = new HashCounter();
  const out = createWriteStream(file, { highWaterMark: FILE_CHUNK });
  try {
    if (opts.compression === 'none') {
      await pipeline(tar, diff, out);
    } else {
      await pipeline(tar, diff, createCompressor(opts.compression, opts.level), blob, out);
    }
  } catch (e) {
    await discardStream(out);
    await unlink(file).catch(() => {});
    const err = explainWrite(e, file) as Error;
    throw new LayerWriteError(
      err instanceof DiskFullError ? err.message : `writing layer ${file} failed: ${err.message}`,
      { cause: err },
    );
  }
  const diffId = diff.digest();
  const stored = opts.compression === 'none' ? diff : blob;
  return fileLayer({
    file,
    mediaType: opts.mediaType ?? layerMediaType(opts.compression),
    digest: opts.compression === 'none' ? diffId : stored.digest(),
    diffId,
    size: stored.size,
    annotations: opts.annotations,
  });
}

/** Pass-through that hashes (sha256) and counts. Large chunks: fewer hops. */
class HashCounter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  size = 0;
  private result: Digest | undefined;

  constructor() {
    super({ highWaterMark: FILE_CHUNK });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }

  digest(): Digest {
    this.result ??= digestOfHash(this.hash);
    return this.result;
  }
}
