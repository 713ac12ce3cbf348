/**
 * docker-archive tarballs (`docker load`, `skopeo … docker-archive:FILE`):
 *   manifest.json   [{"Config":"<hex>.json","RepoTags":[…],"Layers":["<hex>.tar.gz",…]}]
 *   <hex>.json      the config (hex of its digest: Docker's image ID)
 *   <hex>.tar.gz    each layer blob as stored (gzip/zstd/plain; docker load
 *                   and skopeo decompress by content), named by its digest
 *   repositories    the legacy {repo: {tag: id}} map, for old readers
 * Layers stay compressed (as go-containerregistry's tarball.Write and kaniko's
 * --tar-path do): no decompression pass, a smaller file. Everything is
 * streamed; layer bytes are verified against their digest on the way.
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type TarWriteEntry, writeTar } from '../archive/tar-writer.js';
import { type Digest, hexOf } from './digest.js';
import type { Image } from './image.js';
import { layerCompression } from './media-types.js';
import { parseReference } from './reference.js';
import { verifyStream } from './verify.js';
import { writeViaTemp } from './write-stream.js';

export class DockerArchiveError extends Error {
  override name = 'DockerArchiveError';
}

export interface DockerArchiveOptions {
  /** Image references to record as RepoTags (`app:1.0`, `ghcr.io/o/app:sha`). */
  tags?: string[];
}

/** `docker load`'s spelling of a tagged reference: `ubuntu:latest`, `ghcr.io/o/app:1`. */
export function dockerRepoTag(reference: string): { repo: string; tag: string } {
  const ref = parseReference(reference);
  if (!ref.tag) {
    throw new DockerArchiveError(
      `"${reference}" has a digest but no tag: a docker-archive names images by repository:tag`,
    );
  }
  let repo = ref.name;
  if (ref.registry === 'docker.io') {
    repo = ref.repository.startsWith('library/') ? ref.repository.slice(8) : ref.repository;
  }
  return { repo, tag: ref.tag };
}

/** Writes the archive to `file` (via a temporary file renamed at the end). */
export async function writeDockerArchive(
  file: string,
  image: Image,
  opts: DockerArchiveOptions = {},
): Promise<void> {
  try {
    await writeViaTemp(file, `${file}.tmp-${randomBytes(6).toString('hex')}`, (out) =>
      writeDockerArchiveTo(out, image, opts),
    );
  } catch (e) {
    throw new DockerArchiveError(`writing docker-archive ${file} failed: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** Streams the archive into `out` and ends it. */
export async function writeDockerArchiveTo(
  out: Writable,
  image: Image,
  opts: DockerArchiveOptions = {},
): Promise<void> {
  const tags = (opts.tags ?? []).map(dockerRepoTag);
  const config = image.configBlob();
  const configName = `${hexOf(image.configDescriptor().digest)}.json`;
  const layerName = (digest: Digest, mediaType: string) =>
    `${hexOf(digest)}${{ gzip: '.tar.gz', zstd: '.tar.zst', none: '.tar' }[layerCompression(mediaType)]}`;
  const layerNames = image.layers.map((l) => layerName(l.digest, l.mediaType));

  const manifest = [
    { Config: configName, RepoTags: tags.map((t) => `${t.repo}:${t.tag}`), Layers: layerNames },
  ];
  const file = (name: string, size: number, body: TarWriteEntry['body']): TarWriteEntry => ({
    header: {
      name,
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      size,
      mtime: { sec: 0, nsec: 0 },
    },
    body,
  });
  const layers = image.layers;
  async function* entries(): AsyncGenerator<TarWriteEntry> {
    const manifestJson = Buffer.from(JSON.stringify(manifest));
    yield file('manifest.json', manifestJson.length, manifestJson);
    yield file(configName, config.length, config);
    const written = new Set<string>();
    for (const [i, layer] of layers.entries()) {
      const name = layerNames[i]!;
      if (written.has(name)) continue;
      written.add(name);
      const what = `layer ${i} (${layer.digest})`;
      yield file(name, layer.size, () =>
        verifyStream(layer.open(), { digest: layer.digest, size: layer.size, what }),
      );
    }
    if (tags.length && layers.length) {
      const top = hexOf(layers[layers.length - 1]!.digest);
      const repositories: Record<string, Record<string, string>> = {};
      for (const { repo, tag } of tags) repositories[repo] = { ...repositories[repo], [tag]: top };
      const json = Buffer.from(JSON.stringify(repositories));
      yield file('repositories', json.length, json);
    }
  }
  await pipeline(writeTar(entries()), out);
}
