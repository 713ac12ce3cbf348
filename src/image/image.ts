/**
 * Immutable images (go-containerregistry's v1.Image + mutate): a manifest
 * format, a config and the layers. Every edit returns a new Image and
 * leaves the old one as it was; config, manifest and digest are derived on
 * demand and cached. An image made from pulled parts keeps the pulled config
 * and manifest bytes (and so its digest) until something is changed.
 */
import { Readable } from 'node:stream';
import type { Blob, Layer } from './blob.js';
import { encodeConfig, encodeManifest } from './canonical-json.js';
import { type Digest, sha256 } from './digest.js';
import {
  configMediaType,
  formatOf,
  layerMediaTypeFor,
  type ManifestFormat,
  manifestMediaType,
} from './format.js';
import type { Descriptor, HistoryEntry, ImageConfig, ImageManifest, Platform } from './manifest.js';
import { configPlatform, normalizePlatform } from './platform.js';

export class ImageError extends Error {
  override name = 'ImageError';
}

interface ImageState {
  format: ManifestFormat;
  config: ImageConfig;
  layers: readonly Layer[];
  annotations?: Record<string, string>;
  /** Pulled bytes, valid while config/manifest are unchanged. */
  rawConfig?: Buffer;
  rawManifest?: Buffer;
}

export class Image {
  readonly config: Readonly<ImageConfig>;
  readonly layers: readonly Layer[];
  /** Manifest annotations (OCI only). */
  readonly annotations: Readonly<Record<string, string>> | undefined;
  private readonly format: ManifestFormat;
  private readonly rawManifest: Buffer | undefined;
  private configBytes: Buffer | undefined;
  private configDigest: Digest | undefined;
  private manifestCache: { bytes: Buffer; manifest: ImageManifest; digest: Digest } | undefined;

  private constructor(state: ImageState) {
    this.format = state.format;
    this.config = deepFreeze(state.config);
    this.layers = Object.freeze([...state.layers]);
    this.annotations = state.annotations ? Object.freeze({ ...state.annotations }) : undefined;
    this.configBytes = state.rawConfig;
    this.rawManifest = state.rawManifest;
  }

  /** @internal Build an Image from checked parts; use emptyImage/imageFromParts. */
  static create(state: ImageState): Image {
    return new Image(state);
  }

  /** The manifest media type this image is written with. */
  get mediaType(): string {
    return manifestMediaType(this.format);
  }

  get manifestFormat(): ManifestFormat {
    return this.format;
  }

  /** os/architecture/variant from the config. */
  get platform(): Platform {
    return normalizePlatform(configPlatform(this.config));
  }

  /** A new image with `layer` on top and its history entry (not an empty_layer one). */
  appendLayer(layer: Layer, history: HistoryEntry = {}): Image {
    if (history.empty_layer) {
      throw new ImageError('appendLayer: a history entry for a layer cannot be empty_layer; use addHistory');
    }
    const config = this.editable();
    config.rootfs.diff_ids.push(layer.diffId);
    config.history = [...(config.history ?? []), { ...history }];
    return this.next({ config, layers: [...this.layers, layer] });
  }

  /** A new image with a history entry that has no layer (ENV, CMD, …): empty_layer is set. */
  addHistory(entry: HistoryEntry): Image {
    const config = this.editable();
    config.history = [...(config.history ?? []), { ...entry, empty_layer: true }];
    return this.next({ config });
  }

  /**
   * A new image whose config is `edit`'s result. `edit` gets a private
   * deep copy: change it in place or return a new one. rootfs is owned by
   * the layers and cannot be edited here.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: an edit may mutate in place and return nothing
  withConfig(edit: (config: ImageConfig) => ImageConfig | void): Image {
    const draft = this.editable();
    const config = edit(draft) ?? draft;
    const before = this.config.rootfs.diff_ids;
    const after = config.rootfs?.diff_ids ?? [];
    if (
      config.rootfs?.type !== 'layers' ||
      after.length !== before.length ||
      after.some((d, i) => d !== before[i])
    ) {
      throw new ImageError('withConfig: rootfs follows the layers; use appendLayer to add one');
    }
    if (!config.os || !config.architecture) {
      throw new ImageError('withConfig: the config needs os and architecture');
    }
    return this.next({ config: structuredClone(config) });
  }

  /** The same image written as an OCI or a Docker schema 2 manifest (layer bytes unchanged). */
  withFormat(format: ManifestFormat): Image {
    if (format === this.format) return this;
    if (format === 'docker' && this.annotations && Object.keys(this.annotations).length) {
      throw new ImageError(
        'a Docker schema 2 manifest has no annotations: clear them with withAnnotations(undefined) first, or keep the OCI format',
      );
    }
    const next = this.next({ format, keepConfigBytes: true });
    next.layerDescriptors(); // fails now, not at push, when a layer has no type in `format`
    return next;
  }

  /**
   * A new image whose manifest annotations are exactly `annotations` (OCI
   * manifests only; undefined clears them, e.g. those of a pulled base).
   */
  withAnnotations(annotations: Record<string, string> | undefined): Image {
    return new Image({
      format: this.format,
      config: this.config as ImageConfig,
      layers: this.layers,
      annotations,
      rawConfig: this.configBytes,
    });
  }

  /** The config as stored: the exact bytes whose sha256 is the config digest. */
  configBlob(): Buffer {
    return Buffer.from(this.configBytesCached());
  }

  configDescriptor(): Descriptor {
    const bytes = this.configBytesCached();
    this.configDigest ??= sha256(bytes);
    return { mediaType: configMediaType(this.format), digest: this.configDigest, size: bytes.length };
  }

  /** The config as a Blob (for pushing and writing outputs). */
  configAsBlob(): Blob {
    const bytes = this.configBytesCached();
    const d = this.configDescriptor();
    return { mediaType: d.mediaType, digest: d.digest, size: d.size, open: () => Readable.from([bytes]) };
  }

  /** Layer descriptors with media types converted to this image's format. */
  layerDescriptors(): Descriptor[] {
    return this.layers.map((l) => {
      const d: Descriptor = {
        mediaType: layerMediaTypeFor(l.mediaType, this.format),
        digest: l.digest,
        size: l.size,
      };
      if (l.urls?.length) d.urls = [...l.urls];
      if (l.annotations && Object.keys(l.annotations).length) d.annotations = { ...l.annotations };
      return d;
    });
  }

  manifest(): ImageManifest {
    return structuredClone(this.manifestParts().manifest);
  }

  /** The manifest as stored: the exact bytes whose sha256 is the image digest. */
  manifestBytes(): Buffer {
    return Buffer.from(this.manifestParts().bytes);
  }

  digest(): Digest {
    return this.manifestParts().digest;
  }

  /** The manifest's descriptor (for an index or an OCI layout), with the platform. */
  descriptor(): Descriptor {
    const { bytes, digest } = this.manifestParts();
    return { mediaType: this.mediaType, digest, size: bytes.length, platform: this.platform };
  }

  /** Bytes the image occupies in a registry: manifest + config + every layer blob (compressed). */
  totalSize(): number {
    return (
      this.manifestParts().bytes.length +
      this.configBytesCached().length +
      this.layers.reduce((n, l) => n + l.size, 0)
    );
  }

  private configBytesCached(): Buffer {
    this.configBytes ??= Buffer.from(encodeConfig(this.config as ImageConfig));
    return this.configBytes;
  }

  private manifestParts(): { bytes: Buffer; manifest: ImageManifest; digest: Digest } {
    if (this.manifestCache) return this.manifestCache;
    if (this.rawManifest) {
      const bytes = this.rawManifest;
      const manifest = JSON.parse(bytes.toString('utf8')) as ImageManifest;
      this.manifestCache = { bytes, manifest, digest: sha256(bytes) };
      return this.manifestCache;
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: this.mediaType,
      config: this.configDescriptor(),
      layers: this.layerDescriptors(),
    };
    if (this.annotations && Object.keys(this.annotations).length) {
      if (this.format !== 'oci') {
        throw new ImageError(
          'manifest annotations need an OCI manifest; Docker schema 2 has none: drop them or push OCI media types',
        );
      }
      manifest.annotations = { ...this.annotations };
    }
    const bytes = Buffer.from(encodeManifest(manifest));
    this.manifestCache = { bytes, manifest, digest: sha256(bytes) };
    return this.manifestCache;
  }

  private editable(): ImageConfig {
    return structuredClone(this.config) as ImageConfig;
  }

  private next(
    change: Partial<Pick<ImageState, 'format' | 'config' | 'layers' | 'annotations'>> & {
      keepConfigBytes?: boolean;
    },
  ): Image {
    // Pulled config bytes survive a change of format or annotations (the
    // config is the same document); the pulled manifest survives nothing.
    return new Image({
      format: change.format ?? this.format,
      config: change.config ?? (this.config as ImageConfig),
      layers: change.layers ?? this.layers,
      annotations: change.annotations ?? this.annotations,
      rawConfig: change.keepConfigBytes && !change.config ? this.configBytes : undefined,
    });
  }
}

/** The image of `FROM scratch`: no layers, no history, an empty runtime config. */
export function emptyImage(platform: Platform, opts: { format?: ManifestFormat } = {}): Image {
  const p = normalizePlatform(platform);
  const config: ImageConfig = {
    architecture: p.architecture,
    os: p.os,
    config: {},
    rootfs: { type: 'layers', diff_ids: [] },
    history: [],
  };
  if (p.variant) config.variant = p.variant;
  if (p['os.version']) config['os.version'] = p['os.version'];
  return Image.create({ format: opts.format ?? 'oci', config, layers: [] });
}

export interface ImageFromPartsOptions {
  /** The pulled manifest's bytes: kept (with its digest) until the image is changed. */
  manifest?: Uint8Array;
}

/**
 * An image from a pulled (or read) manifest media type, config and layers.
 * Pass the config as its bytes to keep them exactly (and so its digest).
 * The layers' diffIDs must be the config's rootfs.diff_ids, in order; with
 * `manifest`, its config and layer descriptors must match too.
 */
export function imageFromParts(
  manifestMediaType: string,
  config: ImageConfig | Uint8Array,
  layers: readonly Layer[],
  opts: ImageFromPartsOptions = {},
): Image {
  const format = formatOf(manifestMediaType);
  let rawConfig: Buffer | undefined;
  let parsed: ImageConfig;
  if (config instanceof Uint8Array) {
    rawConfig = Buffer.from(config);
    try {
      parsed = JSON.parse(rawConfig.toString('utf8')) as ImageConfig;
    } catch (e) {
      throw new ImageError(`the image config is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    parsed = structuredClone(config);
  }
  checkConfig(parsed, layers);
  let rawManifest: Buffer | undefined;
  let annotations: Record<string, string> | undefined;
  if (opts.manifest) {
    rawManifest = Buffer.from(opts.manifest);
    const m = parseJson<ImageManifest>(rawManifest, 'manifest');
    checkManifest(m, manifestMediaType, rawConfig ?? Buffer.from(encodeConfig(parsed)), layers);
    annotations = m.annotations;
  }
  return Image.create({ format, config: parsed, layers, annotations, rawConfig, rawManifest });
}

function checkConfig(config: ImageConfig, layers: readonly Layer[]): void {
  if (!config || typeof config !== 'object' || !config.os || !config.architecture) {
    throw new ImageError('the image config has no os or architecture; it is not an image config');
  }
  config.config ??= {};
  const diffIds = config.rootfs?.diff_ids;
  if (config.rootfs?.type !== 'layers' || !Array.isArray(diffIds)) {
    throw new ImageError('the image config has no rootfs of type "layers"');
  }
  if (diffIds.length !== layers.length) {
    throw new ImageError(
      `the image config lists ${diffIds.length} diff_ids but the manifest has ${layers.length} layers`,
    );
  }
  layers.forEach((l, i) => {
    if (l.diffId !== diffIds[i]) {
      throw new ImageError(`layer ${i} (${l.digest}) has diffID ${l.diffId}, the config says ${diffIds[i]}`);
    }
  });
}

function checkManifest(m: ImageManifest, mt: string, configBytes: Buffer, layers: readonly Layer[]): void {
  if (m.mediaType !== undefined && m.mediaType !== mt) {
    throw new ImageError(`the manifest says mediaType ${m.mediaType}, it was served as ${mt}`);
  }
  if (m.config?.digest !== sha256(configBytes) || m.config.size !== configBytes.length) {
    throw new ImageError(
      `the manifest names config ${m.config?.digest} (${m.config?.size} bytes), the config given is ${sha256(configBytes)} (${configBytes.length} bytes)`,
    );
  }
  if (!Array.isArray(m.layers) || m.layers.length !== layers.length) {
    throw new ImageError(`the manifest lists ${m.layers?.length} layers, ${layers.length} were given`);
  }
  m.layers.forEach((d, i) => {
    const l = layers[i]!;
    if (d.digest !== l.digest || d.size !== l.size) {
      throw new ImageError(
        `manifest layer ${i} is ${d.digest} (${d.size} bytes), the layer given is ${l.digest} (${l.size} bytes)`,
      );
    }
  });
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (e) {
    throw new ImageError(`the ${what} is not valid JSON: ${(e as Error).message}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
