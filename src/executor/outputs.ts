/**
 * Where the finished image goes: every --destination (blobs first, the
 * manifest last, per the registry client), an OCI layout, a docker-archive
 * tarball, and the digest files kaniko writes. With options.skipUnchanged,
 * nothing is pushed when the destinations that exist hold the same image
 * (unchanged.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeDockerArchive } from '../image/docker-archive.js';
import type { Image } from '../image/image.js';
import { writeOciLayout } from '../image/oci-layout.js';
import type { Reference } from '../image/reference.js';
import { pushImage } from '../registry/push.js';
import type { BuildSession } from './session.js';
import { compareWithDestinations, type StandingImage } from './unchanged.js';

export interface OutputResult {
  /** The destinations pushed to (empty when nothing was pushed). */
  pushed: string[];
  /** False when the destinations already held this image (options.skipUnchanged) and nothing was pushed. */
  refreshed: boolean;
  /** When nothing was pushed because the registry holds the same image: the first reference compared. */
  unchanged?: StandingImage;
}

export async function writeOutputs(
  session: BuildSession,
  image: Image,
  destinations: Reference[],
): Promise<OutputResult> {
  const { options, log } = session;
  const digest = image.digest();
  if (options.ociLayoutPath) {
    const tag = destinations[0]?.tag ?? 'latest';
    await writeOciLayout(options.ociLayoutPath, image, { tag });
    log.info(`wrote OCI layout ${options.ociLayoutPath} (tag ${tag})`);
  }
  if (options.tarPath) {
    await fs.mkdir(path.dirname(options.tarPath), { recursive: true });
    await writeDockerArchive(options.tarPath, image, { tags: destinations.map((d) => d.toString()) });
    log.info(`wrote docker-archive ${options.tarPath}`);
  }
  let pushed: string[] = [];
  let refreshed = true;
  let unchanged: OutputResult['unchanged'];
  if (options.push && destinations.length > 0) {
    let targets = destinations;
    if (options.skipUnchanged) {
      const { ignoreLabels } = options.skipUnchanged;
      const c = await compareWithDestinations(session.registry, image, destinations, ignoreLabels);
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
        unchanged = first;
        targets = [];
        log.info(`the registry already holds this image: nothing pushed (built ${digest})`);
      } else {
        // Destinations that hold this very digest need no push.
        const held = new Set(c.compared.filter((x) => x.digest === digest).map((x) => x.reference));
        targets = destinations.filter((d) => !held.has(d.toString()));
      }
    }
    refreshed = unchanged === undefined;
    if (targets.length > 0) {
      const started = Date.now();
      log.progress?.('push', `pushing ${targets.map(String).join(', ')}`);
      // Layers this build stored in a registry cache on the same registry are mounted, not uploaded again.
      const cacheRepo = session.cache?.mountSource;
      const mountFrom =
        cacheRepo && targets.every((t) => t.registry === cacheRepo.registry)
          ? [cacheRepo.repository]
          : undefined;
      await pushImage(
        session.registry,
        targets,
        {
          manifest: image.manifestBytes(),
          mediaType: image.mediaType,
          blobs: [image.configAsBlob(), ...image.layers],
        },
        mountFrom ? { mountFrom } : {},
      );
      log.progress?.('push', undefined);
      log.info(`pushed ${targets.map(String).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      log.debug(`timing: push ${Date.now() - started} ms`);
    }
    if (!unchanged) pushed = destinations.map((d) => d.toString());
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
  return { pushed, refreshed, ...(unchanged ? { unchanged } : {}) };
}

async function writeFileIn(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}
