/**
 * Blobs and layers as reopenable content (go-containerregistry's
 * tarball.LayerFromOpener): digest, diffID and size are known once, and the
 * bytes can be streamed again as often as needed. Memory never holds a layer.
 */
import type { Readable } from 'node:stream';
import type { Digest } from './digest.js';

export interface Blob {
  readonly mediaType: string;
  /** Digest of the bytes as stored (compressed for layers). */
  readonly digest: Digest;
  readonly size: number;
  /** A fresh stream of the stored bytes. */
  open(): Readable;
}

export interface Layer extends Blob {
  /** Digest of the uncompressed tar (the config's rootfs.diff_ids entry). */
  readonly diffId: Digest;
  /** A fresh stream of the uncompressed tar. */
  openUncompressed(): Readable;
  /** Optional descriptor fields carried through (urls, annotations). */
  readonly urls?: string[];
  readonly annotations?: Record<string, string>;
}
