/**
 * `merge_digests`: the merge job of a matrix build. No Dockerfile is built:
 * the per-platform images (or indexes) the build jobs pushed with
 * `push_by_digest` — bare `sha256:…` digests in the repository of the
 * action's first reference, or full references — are merged into one OCI
 * index in the order given and pushed under the action's references
 * (registry/index-create.ts). Reported as a build result (an index).
 */
import { registryClientOptions } from '../executor/library-options.js';
import type { BuildOptions } from '../executor/options.js';
import type { BuildResult } from '../executor/result.js';
import { isDigest } from '../image/digest.js';
import { parseReference, type Reference } from '../image/reference.js';
import type { Logger } from '../log.js';
import { RegistryClient } from '../registry/client.js';
import { dockerConfigCredentials } from '../registry/credentials.js';
import { createIndex } from '../registry/index-create.js';
import { InputError } from './input-error.js';

/** The sources: a bare digest names an image in the first reference's repository. */
export function mergeSources(items: readonly string[], references: readonly string[]): Reference[] {
  const repo = references[0] ? parseReference(references[0]).name : undefined;
  return items.map((item) => {
    const text = item.trim();
    if (isDigest(text)) {
      if (!repo) {
        throw new InputError([
          {
            input: 'merge_digests',
            message: `"${text}" is a bare digest but no image or tags name its repository`,
          },
        ]);
      }
      return parseReference(`${repo}@${text}`);
    }
    try {
      return parseReference(text);
    } catch (e) {
      throw new InputError([
        {
          input: 'merge_digests',
          message: `"${text}": ${(e as Error).message} (expected sha256:… or a reference)`,
        },
      ]);
    }
  });
}

export async function mergeDigests(
  items: readonly string[],
  references: readonly string[],
  options: BuildOptions,
  log: Logger,
): Promise<BuildResult> {
  const started = Date.now();
  const sources = mergeSources(items, references);
  const targets = references.map((r) => parseReference(r));
  const credentials = dockerConfigCredentials(
    options.dockerConfig ? { configPath: options.dockerConfig } : {},
  );
  const client = new RegistryClient(registryClientOptions(options, { credentials, logger: log }));
  try {
    const index = await log.group('Kiln: merge', async () => {
      for (const s of sources) log.info(`source: ${s}`);
      const made = await createIndex(client, sources, targets);
      for (const e of made.entries) log.info(`${e.platform}: ${e.digest}`);
      return made;
    });
    return {
      digest: index.digest,
      mediaType: index.mediaType,
      manifestSize: index.bytes.length,
      layerDigests: index.layerDigests,
      size: index.bytes.length + index.entries.reduce((n, e) => n + e.size, 0),
      layers: index.layerDigests.length,
      references: targets.map(String),
      steps: [],
      cacheHits: 0,
      durationMs: Date.now() - started,
      refreshed: true,
      platforms: index.entries.map(({ platform, digest, configDigest, size, layers: n }) => ({
        platform,
        digest,
        configDigest,
        size,
        layers: n,
      })),
    };
  } finally {
    await client.close();
  }
}
