/**
 * Where the finished image goes: every --destination (blobs first, the
 * manifest last, per the registry client), an OCI layout, a docker-archive
 * tarball, and the digest files kaniko writes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeDockerArchive } from '../image/docker-archive.js';
import type { Image } from '../image/image.js';
import { writeOciLayout } from '../image/oci-layout.js';
import type { Reference } from '../image/reference.js';
import { pushImage } from '../registry/push.js';
import type { BuildSession } from './session.js';

export interface OutputResult {
  pushed: string[];
  /** False when skip_unchanged_digest found every destination already at this digest. */
  refreshed: boolean;
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
  if (options.push && destinations.length > 0) {
    let targets = destinations;
    if (options.skipUnchangedDigest) {
      const held = await Promise.all(
        destinations.map((d) => session.registry.headManifest(d).catch(() => undefined)),
      );
      targets = destinations.filter((_d, i) => held[i]?.digest !== digest);
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
    pushed = destinations.map((d) => d.toString());
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
