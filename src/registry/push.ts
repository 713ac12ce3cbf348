/**
 * Pushing an image or an index in a fixed order: blobs first (HEAD, mount,
 * upload; in parallel with a bound), then a check that every blob the
 * manifest names is in the repository, then the manifest, then each extra
 * tag. A failure anywhere before the manifest means no manifest is pushed.
 * The API takes raw manifest bytes, so it does not depend on the Image class.
 */
import { forEachLimit } from '../concurrency.js';
import type { Blob } from '../image/blob.js';
import { type Digest, sha256 } from '../image/digest.js';
import type { Image } from '../image/image.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../image/manifest.js';
import { isIndexMediaType, isManifestMediaType } from '../image/media-types.js';
import type { Reference } from '../image/reference.js';
import { repositoryScope } from './auth.js';
import type { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { isMountable } from './remote-blob.js';
import { type UploadOutcome, uploadBlob } from './upload.js';

export interface PushImageInput {
  /** The manifest exactly as it is to be stored (its sha256 is the image digest). */
  manifest: Buffer;
  mediaType: string;
  /** Config and layers (any order; duplicates are pushed once). */
  blobs: Blob[];
}

export interface PushIndexInput {
  manifest: Buffer;
  mediaType: string;
  /** The images the index names, pushed by digest before it. */
  images: PushImageInput[];
}

export interface PushOptions {
  /** Called once per blob per repository with what happened to it. */
  onBlob?: (repo: Reference, blob: Blob, outcome: UploadOutcome) => void;
  /** Extra repositories on the target registry to try mounting from. */
  mountFrom?: string[];
}

function groupByRepository(refs: Reference[]): Reference[][] {
  const groups = new Map<string, Reference[]>();
  for (const r of refs) {
    const key = r.name;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

function referencedDescriptors(
  repo: Reference,
  input: { manifest: Buffer; mediaType: string },
): Descriptor[] {
  let doc: Partial<ImageManifest & ImageIndex>;
  try {
    doc = JSON.parse(input.manifest.toString('utf8')) as typeof doc;
  } catch (e) {
    throw new RegistryError({
      registry: repo.registry,
      repository: repo.repository,
      operation: 'push manifest',
      failure: 'invalid-response',
      detail: `the manifest to push is not JSON: ${(e as Error).message}`,
    });
  }
  if (isIndexMediaType(input.mediaType)) return doc.manifests ?? [];
  if (isManifestMediaType(input.mediaType)) {
    return [...(doc.config ? [doc.config] : []), ...(doc.layers ?? []).filter((l) => !l.urls?.length)];
  }
  return [];
}

class RepositoryPush {
  constructor(
    private readonly client: RegistryClient,
    private readonly opts: PushOptions,
    /** Repositories per registry that this push already filled (mount sources for the next). */
    private readonly pushedTo: Map<string, string[]>,
  ) {}

  private scopes(repo: Reference, sources: string[]): string[] {
    return [
      repositoryScope(repo.repository, 'pull,push'),
      ...[...new Set(sources)].filter((s) => s !== repo.repository).map((s) => repositoryScope(s, 'pull')),
    ];
  }

  private mountSources(repo: Reference, blob: Blob): string[] {
    const out: string[] = [];
    if (isMountable(blob) && blob.source.registry === repo.registry) out.push(blob.source.repository);
    out.push(...(this.pushedTo.get(repo.registry) ?? []), ...(this.opts.mountFrom ?? []));
    return [...new Set(out)].filter((r) => r !== repo.repository);
  }

  /** Uploads the blobs, checks the manifest's references, puts the manifest under each tag (or its digest). */
  async push(repo: Reference, tags: Reference[], input: PushImageInput | PushIndexInput): Promise<Digest> {
    const digest = sha256(input.manifest);
    for (const r of tags) {
      if (r.digest && r.digest !== digest) {
        throw new RegistryError({
          registry: r.registry,
          repository: r.repository,
          operation: 'push manifest',
          failure: 'digest-mismatch',
          detail: `${r} names digest ${r.digest}, but the manifest hashes to ${digest}`,
        });
      }
    }
    const blobs = 'blobs' in input ? dedupe(input.blobs) : [];
    const sourcesOf = new Map(blobs.map((b) => [b.digest, this.mountSources(repo, b)]));
    const scopes = this.scopes(repo, [...sourcesOf.values()].flat());

    if ('images' in input) {
      for (const image of input.images) await this.push(repo, [], image);
    }
    await forEachLimit(blobs, this.client.concurrency, async (blob) => {
      const outcome = await uploadBlob(this.client, repo, blob, {
        scopes,
        mountFrom: sourcesOf.get(blob.digest),
        chunkSize: this.client.chunkSize,
      });
      this.client.logger.debug(`${repo.name}: blob ${blob.digest} ${outcome}`);
      this.opts.onBlob?.(repo, blob, outcome);
    });

    // Never push a manifest that names something the repository lacks.
    const given = new Set(blobs.map((b) => b.digest));
    for (const d of referencedDescriptors(repo, input)) {
      if (given.has(d.digest)) continue;
      const there = isIndexMediaType(input.mediaType)
        ? await this.client.headManifest(repo.withDigest(d.digest), { scopes })
        : await this.client.headBlob(repo, d.digest, { scopes });
      if (!there) {
        throw new RegistryError({
          registry: repo.registry,
          repository: repo.repository,
          operation: 'push manifest',
          failure: 'invalid-response',
          detail: `the manifest names ${d.digest}, which was neither given to push nor is in ${repo.name}; the manifest was not pushed`,
        });
      }
    }

    const targets = tags.length ? tags : [repo.withDigest(digest)];
    for (const target of targets) {
      await this.client.putManifest(target, input.manifest, input.mediaType, { scopes });
    }
    const list = this.pushedTo.get(repo.registry) ?? [];
    if (!list.includes(repo.repository)) list.push(repo.repository);
    this.pushedTo.set(repo.registry, list);
    return digest;
  }
}

function dedupe(blobs: Blob[]): Blob[] {
  const seen = new Map<string, Blob>();
  for (const b of blobs) if (!seen.has(b.digest)) seen.set(b.digest, b);
  return [...seen.values()];
}

async function pushAll(
  client: RegistryClient,
  refs: Reference[],
  input: PushImageInput | PushIndexInput,
  opts: PushOptions,
): Promise<Digest> {
  if (refs.length === 0) throw new Error('push needs at least one destination');
  const session = new RepositoryPush(client, opts, new Map());
  let digest: Digest | undefined;
  for (const group of groupByRepository(refs)) {
    const repo = group[0]!;
    digest = await session.push(repo, group, input);
  }
  return digest!;
}

/**
 * Pushes an image to every reference (tags in the same repository share one
 * upload; a second repository on the same registry mounts from the first).
 * Returns the manifest digest.
 */
/** What pushing `image` takes: its manifest, config and layers. */
export function imagePushInput(image: Image): PushImageInput {
  return {
    manifest: image.manifestBytes(),
    mediaType: image.mediaType,
    blobs: [image.configAsBlob(), ...image.layers],
  };
}

export function pushImage(
  client: RegistryClient,
  refs: Reference[],
  input: PushImageInput,
  opts: PushOptions = {},
): Promise<Digest> {
  return pushAll(client, refs, input, opts);
}

/** Pushes an index and the images it names (each by digest first). Returns the index digest. */
export function pushIndex(
  client: RegistryClient,
  refs: Reference[],
  input: PushIndexInput,
  opts: PushOptions = {},
): Promise<Digest> {
  return pushAll(client, refs, input, opts);
}
