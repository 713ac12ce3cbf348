/**
 * OCI image layout directories (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`):
 * write an image (or an index of several platforms' images) under a tag,
 * and read one back into an Image. Blobs are
 * streamed and verified into a temporary file, then renamed into place;
 * blobs already present (same size) are reused. index.json is replaced
 * atomically; an entry with the same tag is replaced, other entries stay.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { forEachLimit } from '../concurrency.js';
import { explainWrite } from '../fs/disk-full.js';
import type { Blob } from './blob.js';
import { encodeIndex } from './canonical-json.js';
import { algorithmOf, hexOf, parseDigest, sha256 } from './digest.js';
import { type Image, imageFromParts } from './image.js';
import { fileLayer } from './layer.js';
import type { Descriptor, ImageIndex, ImageManifest, Platform } from './manifest.js';
import { isIndexMediaType, isManifestMediaType, MediaType } from './media-types.js';
import { hostPlatform, selectManifest } from './platform.js';
import { verifyStream } from './verify.js';
import { writeViaTemp } from './write-stream.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd's (and BuildKit's) annotation for the full image name. */
export const IMAGE_NAME = 'io.containerd.image.name';
const LAYOUT_VERSION = '1.0.0';
/** Largest manifest, index or config read into memory. */
const MAX_JSON = 16 * 1024 * 1024;

export class OciLayoutError extends Error {
  override name = 'OciLayoutError';
}

export interface WriteOciLayoutOptions {
  /** Tag for the `org.opencontainers.image.ref.name` annotation (`latest`). */
  tag?: string;
  /** Full name for `io.containerd.image.name` (`docker.io/library/app:latest`). */
  name?: string;
  /** Blobs written at once (default 3). */
  concurrency?: number;
}

/** Where a blob lives in a layout; the digest is validated first. */
export function blobPath(dir: string, digest: string): string {
  const d = parseDigest(digest);
  return join(dir, 'blobs', algorithmOf(d), hexOf(d));
}

/** Writes `image` into the layout at `dir` (created if missing); returns the manifest descriptor. */
export async function writeOciLayout(
  dir: string,
  image: Image,
  opts: WriteOciLayoutOptions = {},
): Promise<Descriptor> {
  await initLayout(dir);
  await writeImageBlobs(dir, image, opts.concurrency ?? 3);
  return addEntry(dir, image.descriptor(), opts);
}

/**
 * Writes a multi-platform image into the layout at `dir`: every image's
 * blobs and manifest, then the index naming them; index.json gets the
 * index under the tag (as `docker buildx build --output type=oci` does).
 * Returns the index's descriptor.
 */
export async function writeOciLayoutIndex(
  dir: string,
  index: { bytes: Buffer; mediaType: string },
  images: readonly Image[],
  opts: WriteOciLayoutOptions = {},
): Promise<Descriptor> {
  await initLayout(dir);
  for (const image of images) await writeImageBlobs(dir, image, opts.concurrency ?? 3);
  const blob = bufferBlob(index.bytes, index.mediaType);
  await writeBlob(dir, blob);
  return addEntry(dir, { mediaType: blob.mediaType, digest: blob.digest, size: blob.size }, opts);
}

/** Layers, config and manifest of an image (layers first, the manifest last). */
async function writeImageBlobs(dir: string, image: Image, concurrency: number): Promise<void> {
  const unique = [...new Map(image.layers.map((b) => [b.digest, b])).values()];
  await forEachLimit(unique, concurrency, (b) => writeBlob(dir, b));
  await writeBlob(dir, image.configAsBlob());
  await writeBlob(dir, bufferBlob(image.manifestBytes(), image.mediaType));
}

/** index.json gains `desc` under the tag (replacing that tag's entry), atomically. */
async function addEntry(dir: string, desc: Descriptor, opts: WriteOciLayoutOptions): Promise<Descriptor> {
  const annotations: Record<string, string> = {};
  if (opts.name) annotations[IMAGE_NAME] = opts.name;
  if (opts.tag) annotations[REF_NAME] = opts.tag;
  const entry: Descriptor = { ...desc };
  if (Object.keys(annotations).length) entry.annotations = annotations;

  const index = await readIndex(dir);
  index.manifests = index.manifests.filter((d) => {
    if (opts.tag) return d.annotations?.[REF_NAME] !== opts.tag;
    return d.digest !== desc.digest || d.annotations?.[REF_NAME] !== undefined;
  });
  index.manifests.push(entry);
  await atomicWrite(join(dir, 'index.json'), Buffer.from(encodeIndex(index)));
  return entry;
}

/**
 * Writes one blob into the layout unless a file of the right size is there.
 * The bytes are verified against the blob's digest and size on the way.
 * Returns true when it wrote, false when it reused.
 */
export async function writeBlob(dir: string, blob: Blob): Promise<boolean> {
  const path = blobPath(dir, blob.digest);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isFile() && existing.size === blob.size) return false;
  await mkdir(dirname(path), { recursive: true });
  await writeViaTemp(path, `${path}.tmp-${randomBytes(6).toString('hex')}`, (out) =>
    pipeline(
      verifyStream(blob.open(), { digest: blob.digest, size: blob.size, what: `blob ${blob.digest}` }),
      out,
    ),
  );
  return true;
}

export interface ReadOciLayoutOptions {
  /** The `org.opencontainers.image.ref.name` to read; optional when the index has one image. */
  tag?: string;
  /** Platform to pick when the entry is an index; default the host's. */
  platform?: Platform;
}

/** Reads an image from a layout; layers stay on disk and are verified when opened. */
export async function readOciLayout(dir: string, opts: ReadOciLayoutOptions = {}): Promise<Image> {
  const layout = await readJson<{ imageLayoutVersion?: string }>(join(dir, 'oci-layout'), 'oci-layout');
  if (layout.imageLayoutVersion !== LAYOUT_VERSION) {
    throw new OciLayoutError(
      `${dir} has imageLayoutVersion ${JSON.stringify(layout.imageLayoutVersion)}; only ${LAYOUT_VERSION} is read`,
    );
  }
  const index = await readIndex(dir);
  let desc = pickEntry(dir, index, opts.tag);
  for (let depth = 0; isIndexMediaType(desc.mediaType); depth++) {
    if (depth > 4) throw new OciLayoutError(`${dir}: indexes nest too deep under ${desc.digest}`);
    const child = parseJsonBytes<ImageIndex>(await readBlob(dir, desc), `index ${desc.digest}`);
    const platform = opts.platform ?? hostPlatform();
    desc = checkDescriptor(selectManifest(child, platform, `${dir} (${desc.digest})`), dir);
  }
  if (!isManifestMediaType(desc.mediaType)) {
    throw new OciLayoutError(
      `${dir}: ${desc.digest} has media type ${desc.mediaType}, not an image manifest`,
    );
  }
  const manifestBytes = await readBlob(dir, desc);
  const manifest = parseJsonBytes<ImageManifest>(manifestBytes, `manifest ${desc.digest}`);
  const configDesc = checkDescriptor(manifest.config, dir);
  const config = await readBlob(dir, configDesc);
  const diffIds = parseJsonBytes<{ rootfs?: { diff_ids?: string[] } }>(config, `config ${configDesc.digest}`)
    .rootfs?.diff_ids;
  const layers = (manifest.layers ?? []).map((l, i) => {
    const d = checkDescriptor(l, dir);
    const diffId = diffIds?.[i];
    if (!diffId)
      throw new OciLayoutError(`${dir}: the config of ${desc.digest} has no diff_id for layer ${i}`);
    return fileLayer({
      file: blobPath(dir, d.digest),
      mediaType: d.mediaType,
      digest: d.digest,
      diffId: parseDigest(diffId),
      size: d.size,
      urls: d.urls,
      annotations: d.annotations,
      verify: true,
    });
  });
  return imageFromParts(manifest.mediaType ?? desc.mediaType, config, layers, { manifest: manifestBytes });
}

function pickEntry(dir: string, index: ImageIndex, tag: string | undefined): Descriptor {
  const tags = index.manifests.map((d) => d.annotations?.[REF_NAME]).filter((t): t is string => !!t);
  if (tag !== undefined) {
    const hit = index.manifests.find((d) => d.annotations?.[REF_NAME] === tag);
    if (!hit) {
      throw new OciLayoutError(
        `${dir} has no image tagged "${tag}"${tags.length ? `; its tags: ${tags.join(', ')}` : ' (it has no tags)'}`,
      );
    }
    return checkDescriptor(hit, dir);
  }
  if (index.manifests.length !== 1) {
    throw new OciLayoutError(
      `${dir} holds ${index.manifests.length} images; name one by tag${tags.length ? ` (${tags.join(', ')})` : ''}`,
    );
  }
  return checkDescriptor(index.manifests[0]!, dir);
}

/** Digest and size of a descriptor read from disk are checked before they are used. */
function checkDescriptor(d: Descriptor, dir: string): Descriptor {
  if (!d || typeof d !== 'object') throw new OciLayoutError(`${dir}: a descriptor is not an object`);
  const digest = parseDigest(String(d.digest));
  if (!Number.isSafeInteger(d.size) || d.size < 0) {
    throw new OciLayoutError(`${dir}: descriptor ${digest} has an invalid size ${JSON.stringify(d.size)}`);
  }
  return { ...d, digest };
}

async function readBlob(dir: string, d: Descriptor): Promise<Buffer> {
  if (d.size > MAX_JSON) {
    throw new OciLayoutError(
      `${dir}: ${d.digest} is ${d.size} bytes, more than the ${MAX_JSON} read for JSON`,
    );
  }
  const path = blobPath(dir, d.digest);
  const bytes = await readLimited(path, MAX_JSON);
  if (bytes.length !== d.size || sha256(bytes) !== d.digest) {
    throw new OciLayoutError(
      `${path} does not match its descriptor (${d.digest}, ${d.size} bytes): the layout is corrupt`,
    );
  }
  return bytes;
}

async function initLayout(dir: string): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const path = join(dir, 'oci-layout');
  const existing = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (existing === undefined) {
    await atomicWrite(path, Buffer.from(JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION })));
    return;
  }
  const version = parseJsonBytes<{ imageLayoutVersion?: string }>(
    Buffer.from(existing),
    path,
  ).imageLayoutVersion;
  if (version !== LAYOUT_VERSION) {
    throw new OciLayoutError(
      `${dir} is an OCI layout of version ${JSON.stringify(version)}; Kiln writes ${LAYOUT_VERSION}: use another directory`,
    );
  }
}

async function readIndex(dir: string): Promise<ImageIndex> {
  const path = join(dir, 'index.json');
  const exists = await stat(path).catch(() => undefined);
  if (!exists) return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
  const index = await readJson<ImageIndex>(path, 'index.json');
  if (index.schemaVersion !== 2 || !Array.isArray(index.manifests)) {
    throw new OciLayoutError(`${path} is not an OCI index (schemaVersion 2 with manifests)`);
  }
  return index;
}

async function readJson<T>(path: string, what: string): Promise<T> {
  const bytes = await readLimited(path, MAX_JSON).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') {
      throw new OciLayoutError(`${path} is missing: ${dirname(path)} is not an OCI image layout`);
    }
    throw e;
  });
  return parseJsonBytes<T>(bytes, `${what} (${path})`);
}

async function readLimited(path: string, limit: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size > limit)
      throw new OciLayoutError(`${path} is ${size} bytes, more than the ${limit} read for JSON`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

function parseJsonBytes<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (e) {
    throw new OciLayoutError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

async function atomicWrite(path: string, bytes: Buffer): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw explainWrite(e, path);
  }
}

function bufferBlob(bytes: Buffer, mediaType: string): Blob {
  return { mediaType, digest: sha256(bytes), size: bytes.length, open: () => Readable.from([bytes]) };
}
