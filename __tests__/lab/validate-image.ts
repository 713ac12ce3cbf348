/**
 * validateImage(): what go-containerregistry's `validate` checks, computed
 * independently of the client's own verification (raw HTTP bodies): the
 * manifest's media type matches what the registry serves, config and layer
 * digests and sizes match the blobs, diff_ids equal the sha256 of each
 * uncompressed layer, media types are consistent (OCI vs Docker), and for an
 * index every child (by digest and size) validates too.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { programFilter } from '../../src/image/compression.js';
import { type Digest, sha256 } from '../../src/image/digest.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../../src/image/manifest.js';
import { isIndexMediaType, MediaType } from '../../src/image/media-types.js';
import { parseReference, type Reference } from '../../src/image/reference.js';
import { repositoryScope } from '../../src/registry/auth.js';
import { RegistryClient } from '../../src/registry/client.js';
import { header } from '../../src/registry/transport.js';

export interface ImageFetcher {
  /** The manifest bytes and the Content-Type the registry served them with. */
  manifest(ref: Reference): Promise<{ bytes: Buffer; contentType: string }>;
  /** The raw, unverified bytes of a blob. */
  blob(repo: Reference, digest: Digest): Promise<Readable>;
}

/** Raw fetches through the client's transport (auth, TLS), bypassing its verification. */
export function clientFetcher(client: RegistryClient): ImageFetcher {
  return {
    async manifest(ref) {
      const res = await client.transport(ref.registry).send({
        method: 'GET',
        path: `/v2/${ref.repository}/manifests/${ref.identifier}`,
        headers: {
          accept: [
            MediaType.OciIndex,
            MediaType.OciManifest,
            MediaType.DockerManifestList,
            MediaType.DockerManifest,
          ].join(', '),
        },
        scopes: [repositoryScope(ref.repository, 'pull')],
        repository: ref.repository,
        operation: 'validate: get manifest',
        expect: [200],
      });
      const parts: Buffer[] = [];
      for await (const c of res.body) parts.push(c as Buffer);
      return {
        bytes: Buffer.concat(parts),
        contentType: (header(res, 'content-type') ?? '').split(';')[0]!.trim(),
      };
    },
    async blob(repo, digest) {
      const res = await client.transport(repo.registry).send({
        method: 'GET',
        path: `/v2/${repo.repository}/blobs/${digest}`,
        scopes: [repositoryScope(repo.repository, 'pull')],
        repository: repo.repository,
        operation: 'validate: get blob',
        expect: [200],
        redirect: true,
      });
      return res.body;
    },
  };
}

export interface ValidatedImage {
  digest: Digest;
  mediaType: string;
  /** For an index: the validated children. */
  children?: ValidatedImage[];
  config?: ImageConfig;
  layers?: Descriptor[];
}

const OCI_TYPES = new Set<string>([
  MediaType.OciConfig,
  MediaType.OciLayer,
  MediaType.OciLayerGzip,
  MediaType.OciLayerZstd,
  MediaType.OciManifest,
  MediaType.OciIndex,
]);
const DOCKER_TYPES = new Set<string>([
  MediaType.DockerConfig,
  MediaType.DockerLayerGzip,
  MediaType.DockerForeignLayerGzip,
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
]);

async function hashStream(
  s: Readable,
  compression: 'gzip' | 'zstd' | 'none',
): Promise<{ digest: Digest; size: number; diff?: Digest }> {
  const outer = createHash('sha256');
  const inner = createHash('sha256');
  let size = 0;
  const count = async function* (src: AsyncIterable<Buffer>) {
    for await (const c of src) {
      outer.update(c);
      size += c.length;
      yield c;
    }
  };
  if (compression !== 'none') {
    // zstd through the zstd program: a decoder independent of the one under test.
    const decompress = compression === 'gzip' ? createGunzip() : programFilter('zstd', ['-q', '-d', '-c']);
    await pipeline(s, count, decompress, async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) inner.update(c);
    });
  } else {
    await pipeline(s, count, async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) inner.update(c);
    });
  }
  const digest = `sha256:${outer.digest('hex')}` as Digest;
  return { digest, size, diff: `sha256:${inner.digest('hex')}` as Digest };
}

/** Throws an Error listing every problem found; returns what was validated. */
export async function validateImage(
  source: RegistryClient | ImageFetcher,
  refOrString: Reference | string,
): Promise<ValidatedImage> {
  const fetcher = source instanceof RegistryClient ? clientFetcher(source) : source;
  const ref = typeof refOrString === 'string' ? parseReference(refOrString) : refOrString;
  const problems: string[] = [];
  const result = await validateAt(fetcher, ref, undefined, problems);
  if (problems.length) throw new Error(`image ${ref} is invalid:\n - ${problems.join('\n - ')}`);
  return result;
}

async function validateAt(
  f: ImageFetcher,
  ref: Reference,
  expected: Descriptor | undefined,
  problems: string[],
): Promise<ValidatedImage> {
  const { bytes, contentType } = await f.manifest(ref);
  const digest = sha256(bytes);
  const doc = JSON.parse(bytes.toString('utf8')) as Partial<ImageManifest & ImageIndex>;
  const mediaType = doc.mediaType ?? contentType;
  const where = `${ref.name}@${digest}`;
  if (doc.mediaType && contentType && doc.mediaType !== contentType) {
    problems.push(`${where}: mediaType field ${doc.mediaType} but served as ${contentType}`);
  }
  if (doc.schemaVersion !== 2) problems.push(`${where}: schemaVersion is ${doc.schemaVersion}, not 2`);
  if (ref.digest && ref.digest !== digest)
    problems.push(`${where}: fetched by ${ref.digest} but hashes to ${digest}`);
  if (expected) {
    if (expected.size !== bytes.length)
      problems.push(`${where}: index says size ${expected.size}, is ${bytes.length}`);
    if (expected.mediaType !== mediaType) {
      problems.push(`${where}: index says mediaType ${expected.mediaType}, manifest is ${mediaType}`);
    }
  }
  const family = OCI_TYPES.has(mediaType)
    ? OCI_TYPES
    : DOCKER_TYPES.has(mediaType)
      ? DOCKER_TYPES
      : undefined;
  if (!family) problems.push(`${where}: unknown manifest media type ${mediaType}`);

  if (isIndexMediaType(mediaType)) {
    const children: ValidatedImage[] = [];
    for (const d of doc.manifests ?? []) {
      if (family && !family.has(d.mediaType))
        problems.push(`${where}: child ${d.digest} has foreign media type ${d.mediaType}`);
      children.push(await validateAt(f, ref.withDigest(d.digest), d, problems));
    }
    return { digest, mediaType, children };
  }

  const manifest = doc as ImageManifest;
  if (!manifest.config || !Array.isArray(manifest.layers)) {
    problems.push(`${where}: no config or layers`);
    return { digest, mediaType };
  }
  const cfg = await hashStream(await f.blob(ref, manifest.config.digest), 'none');
  if (cfg.digest !== manifest.config.digest)
    problems.push(`${where}: config hashes to ${cfg.digest}, not ${manifest.config.digest}`);
  if (cfg.size !== manifest.config.size)
    problems.push(`${where}: config is ${cfg.size} bytes, not ${manifest.config.size}`);
  const configParts: Buffer[] = [];
  for await (const c of await f.blob(ref, manifest.config.digest)) configParts.push(c as Buffer);
  const config = JSON.parse(Buffer.concat(configParts).toString('utf8')) as ImageConfig;
  if (family && !family.has(manifest.config.mediaType)) {
    problems.push(`${where}: config media type ${manifest.config.mediaType} does not fit a ${mediaType}`);
  }
  const p = expected?.platform;
  if (
    p &&
    (p.os !== config.os ||
      p.architecture !== config.architecture ||
      (p.variant ?? '') !== (config.variant ?? ''))
  ) {
    problems.push(
      `${where}: index names platform ${p.os}/${p.architecture}/${p.variant ?? ''}, config says ${config.os}/${config.architecture}/${config.variant ?? ''}`,
    );
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (config.rootfs?.type !== 'layers') problems.push(`${where}: config rootfs.type is not "layers"`);
  if (diffIds.length !== manifest.layers.length) {
    problems.push(`${where}: ${manifest.layers.length} layers but ${diffIds.length} diff_ids`);
  }
  for (const [i, l] of manifest.layers.entries()) {
    if (family && !family.has(l.mediaType))
      problems.push(`${where}: layer ${i} media type ${l.mediaType} does not fit a ${mediaType}`);
    const kind = l.mediaType.endsWith('gzip') ? 'gzip' : l.mediaType.endsWith('zstd') ? 'zstd' : 'none';
    const h = await hashStream(await f.blob(ref, l.digest), kind);
    if (h.digest !== l.digest) problems.push(`${where}: layer ${i} hashes to ${h.digest}, not ${l.digest}`);
    if (h.size !== l.size) problems.push(`${where}: layer ${i} is ${h.size} bytes, not ${l.size}`);
    if (diffIds[i] && h.diff !== diffIds[i])
      problems.push(`${where}: layer ${i} uncompressed hashes to ${h.diff}, diff_id says ${diffIds[i]}`);
  }
  return { digest, mediaType, config, layers: manifest.layers };
}
