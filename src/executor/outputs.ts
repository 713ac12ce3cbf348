/**
 * Where the finished image (or index of per-platform images) goes: every
 * --destination (blobs first, then each platform's manifest, the index
 * last, per the registry client) under its tag or, with --push-by-digest,
 * by digest only; an OCI layout; a docker-archive tarball (one platform);
 * and the digest files kaniko writes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '../image/digest.js';
import { writeDockerArchive } from '../image/docker-archive.js';
import type { Image } from '../image/image.js';
import { writeOciLayout, writeOciLayoutIndex } from '../image/oci-layout.js';
import type { Reference } from '../image/reference.js';
import { type PushImageInput, pushImage, pushIndex } from '../registry/push.js';
import { artifactDigest, type BuildArtifact } from './artifact.js';
import type { BuildSession } from './session.js';

export interface OutputResult {
  pushed: string[];
  /** False when skip_unchanged_digest found every destination already at this digest. */
  refreshed: boolean;
}

function pushInput(image: Image): PushImageInput {
  return {
    manifest: image.manifestBytes(),
    mediaType: image.mediaType,
    blobs: [image.configAsBlob(), ...image.layers],
  };
}

/** With --push-by-digest: one untagged reference per repository. */
function byDigest(destinations: Reference[], digest: Digest): Reference[] {
  const out = new Map<string, Reference>();
  for (const d of destinations) out.set(d.name, d.withDigest(digest));
  return [...out.values()];
}

export async function writeOutputs(
  session: BuildSession,
  artifact: BuildArtifact,
  destinations: Reference[],
): Promise<OutputResult> {
  const { options, log } = session;
  const digest = artifactDigest(artifact);
  if (options.ociLayoutPath) {
    const tag = destinations[0]?.tag ?? 'latest';
    if (artifact.kind === 'image') await writeOciLayout(options.ociLayoutPath, artifact.image, { tag });
    else await writeOciLayoutIndex(options.ociLayoutPath, artifact.index, artifact.images, { tag });
    log.info(`wrote OCI layout ${options.ociLayoutPath} (tag ${tag})`);
  }
  if (options.tarPath) {
    // prepareBuild refuses --tar-path with several platforms.
    if (artifact.kind !== 'image') throw new Error('internal: a docker-archive holds one platform');
    await fs.mkdir(path.dirname(options.tarPath), { recursive: true });
    await writeDockerArchive(options.tarPath, artifact.image, {
      tags: destinations.map((d) => d.toString()),
    });
    log.info(`wrote docker-archive ${options.tarPath}`);
  }
  const targets0 = options.pushByDigest ? byDigest(destinations, digest) : destinations;
  let pushed: string[] = [];
  let refreshed = true;
  if (options.push && targets0.length > 0) {
    let targets = targets0;
    if (options.skipUnchangedDigest) {
      const held = await Promise.all(
        targets0.map((d) => session.registry.headManifest(d).catch(() => undefined)),
      );
      targets = targets0.filter((_d, i) => held[i]?.digest !== digest);
      if (targets.length === 0) {
        refreshed = false;
        log.info(`every destination already holds ${digest}: nothing pushed`);
      }
    }
    if (targets.length > 0) {
      const started = Date.now();
      log.progress?.('push', `pushing ${targets.map(String).join(', ')}`);
      // Layers this build stored in a registry cache on the same registry are mounted, not uploaded again.
      const cacheRepo = session.cache?.mountSource;
      const mountFrom =
        cacheRepo && targets.every((t) => t.registry === cacheRepo.registry)
          ? [cacheRepo.repository]
          : undefined;
      const opts = mountFrom ? { mountFrom } : {};
      if (artifact.kind === 'image') {
        await pushImage(session.registry, targets, pushInput(artifact.image), opts);
      } else {
        const { index, images } = artifact;
        await pushIndex(
          session.registry,
          targets,
          { manifest: index.bytes, mediaType: index.mediaType, images: images.map(pushInput) },
          opts,
        );
      }
      log.progress?.('push', undefined);
      log.info(`pushed ${targets.map(String).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      log.debug(`timing: push ${Date.now() - started} ms`);
    }
    pushed = targets0.map((d) => d.toString());
  }
  if (options.digestFile) await writeFileIn(options.digestFile, digest);
  if (options.imageNameWithDigestFile) {
    const names = destinations.map((d) => `${d.name}@${digest}`);
    await writeFileIn(options.imageNameWithDigestFile, `${names.join('\n')}\n`);
  }
  return { pushed, refreshed };
}

async function writeFileIn(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}
