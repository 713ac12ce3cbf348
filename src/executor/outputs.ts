/**
 * Where the finished image (or index of per-platform images) goes: every
 * --destination (blobs first, then each platform's manifest, the index
 * last, per the registry client) under its tag or, with --push-by-digest,
 * by digest only; an OCI layout; a docker-archive tarball (one platform);
 * and the digest files kaniko writes. With options.skipUnchanged, nothing
 * is pushed when the destinations that exist hold the same image
 * (unchanged.ts; for an index, unchanged-index.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '../image/digest.js';
import { writeDockerArchive } from '../image/docker-archive.js';
import { writeOciLayout, writeOciLayoutIndex } from '../image/oci-layout.js';
import type { Reference } from '../image/reference.js';
import { imagePushInput, pushImage, pushIndex } from '../registry/push.js';
import { artifactDigest, type BuildArtifact } from './artifact.js';
import type { BuildSession } from './session.js';
import { compareWithDestinations, type StandingImage } from './unchanged.js';
import { compareIndexWithDestinations } from './unchanged-index.js';

export interface OutputResult {
  /** The destinations pushed to (empty when nothing was pushed). */
  pushed: string[];
  /** False when the destinations already held this image (options.skipUnchanged) and nothing was pushed. */
  refreshed: boolean;
  /** When nothing was pushed because the registry holds the same image: the first reference compared. */
  unchanged?: StandingImage;
}

/** With --push-by-digest: one untagged reference per repository. */
function byDigest(destinations: Reference[], digest: Digest): Reference[] {
  const out = new Map<string, Reference>();
  for (const d of destinations) out.set(d.name, d.withDigest(digest));
  return [...out.values()];
}

/** Which destinations still need the push; `unchanged` when none does because all hold the same image. */
async function skipUnchanged(
  session: BuildSession,
  artifact: BuildArtifact,
  destinations: Reference[],
  ignoreLabels: string[],
): Promise<{ targets: Reference[]; unchanged?: StandingImage }> {
  const { log } = session;
  const digest = artifactDigest(artifact);
  const c =
    artifact.kind === 'image'
      ? await compareWithDestinations(session.registry, artifact.image, destinations, ignoreLabels)
      : await compareIndexWithDestinations(session.registry, artifact, destinations, ignoreLabels);
  const ignoring = `ignoring the labels ${ignoreLabels.join(', ')} and timestamps`;
  if (c.compared.length === 0) {
    log.info('unchanged check: no destination exists yet, nothing to compare with: pushing');
  }
  for (const x of c.compared) {
    log.info(
      `unchanged check: ${x.reference} holds ${x.digest}: ${x.same ? `the same layers and config (${ignoring})` : `${x.why} (${ignoring})`}`,
    );
  }
  if (c.unchanged) {
    const { same: _s, why: _w, ...first } = c.compared[0]!;
    log.info(`the registry already holds this image: nothing pushed (built ${digest})`);
    return { targets: [], unchanged: first };
  }
  // Destinations that hold this very digest need no push.
  const held = new Set(c.compared.filter((x) => x.digest === digest).map((x) => x.reference));
  return { targets: destinations.filter((d) => !held.has(d.toString())) };
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
  const wanted = options.pushByDigest ? byDigest(destinations, digest) : destinations;
  let pushed: string[] = [];
  let unchanged: OutputResult['unchanged'];
  if (options.push && wanted.length > 0) {
    let targets = wanted;
    if (options.skipUnchanged) {
      const s = await skipUnchanged(session, artifact, wanted, options.skipUnchanged.ignoreLabels);
      targets = s.targets;
      unchanged = s.unchanged;
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
        await pushImage(session.registry, targets, imagePushInput(artifact.image), opts);
      } else {
        const { index, images } = artifact;
        await pushIndex(
          session.registry,
          targets,
          { manifest: index.bytes, mediaType: index.mediaType, images: images.map(imagePushInput) },
          opts,
        );
      }
      log.progress?.('push', undefined);
      log.info(`pushed ${targets.map(String).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      log.debug(`timing: push ${Date.now() - started} ms`);
    }
    if (!unchanged) pushed = wanted.map((d) => d.toString());
  }
  if (options.digestFile) await writeFileIn(options.digestFile, digest);
  if (options.imageNameWithDigestFile) {
    const names = destinations.map((d) => `${d.name}@${digest}`);
    await writeFileIn(options.imageNameWithDigestFile, `${names.join('\n')}\n`);
  }
  if (options.imageNameTagWithDigestFile) {
    const names = destinations.map((d) => `${d}@${digest}`);
    await writeFileIn(options.imageNameTagWithDigestFile, `${names.join('\n')}\n`);
  }
  return { pushed, refreshed: unchanged === undefined, ...(unchanged ? { unchanged } : {}) };
}

async function writeFileIn(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}
