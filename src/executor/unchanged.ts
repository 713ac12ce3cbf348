/**
 * "Unchanged" as users of skip_unchanged_digest mean it: the image just built
 * equals what a destination already holds when both have the same layers
 * and the same config, apart from the labels that name the commit and the
 * build time (org.opencontainers.image.revision / created) and the
 * timestamps (config and history `created`) — which change on every commit
 * even when nothing else does. Only destinations that exist are compared; a
 * build is unchanged when there is at least one and every one is.
 */
import type { Image } from '../image/image.js';
import type { ImageConfig } from '../image/manifest.js';
import type { Reference } from '../image/reference.js';
import type { RegistryClient } from '../registry/client.js';
import { pullImage } from '../registry/pull.js';

/** An image a destination holds. */
export interface StandingImage {
  reference: string;
  digest: string;
  mediaType: string;
  /** Of the manifest. */
  size: number;
  /** Absent when it is a multi-platform index (unchanged-index.ts). */
  configDigest?: string;
}

export interface Comparison {
  /** The destinations that exist, with what each holds and whether it equals the build. */
  compared: (StandingImage & { same: boolean; why?: string })[];
  /** True when at least one destination exists and every existing one holds the same image. */
  unchanged: boolean;
}

/** The config with what does not count removed, as canonical text. */
function comparable(config: Readonly<ImageConfig>, ignoreLabels: ReadonlySet<string>): string {
  const c = structuredClone(config) as ImageConfig & { created?: string };
  delete c.created;
  for (const h of c.history ?? []) delete h.created;
  if (c.config?.Labels) {
    for (const k of ignoreLabels) delete c.config.Labels[k];
  }
  return JSON.stringify(c, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** What differs first, for the log; undefined when nothing does. */
function difference(
  built: Image,
  held: { layers: string[]; config: Readonly<ImageConfig> },
  ignoreLabels: ReadonlySet<string>,
): string | undefined {
  const mine = built.layers.map((l) => l.digest);
  if (mine.length !== held.layers.length) return `${held.layers.length} layers there, ${mine.length} built`;
  const i = mine.findIndex((d, n) => d !== held.layers[n]);
  if (i >= 0) return `layer ${i + 1} differs`;
  if (comparable(built.config, ignoreLabels) !== comparable(held.config, ignoreLabels)) {
    const a = built.config.config?.Labels ?? {};
    const b = held.config.config?.Labels ?? {};
    const label = [...new Set([...Object.keys(a), ...Object.keys(b)])].find(
      (k) => !ignoreLabels.has(k) && a[k] !== b[k],
    );
    return label ? `label ${label} differs` : 'the config differs';
  }
  return undefined;
}

export async function compareWithDestinations(
  registry: RegistryClient,
  image: Image,
  destinations: readonly Reference[],
  ignoreLabels: readonly string[],
): Promise<Comparison> {
  const ignore = new Set(ignoreLabels);
  const digest = image.digest();
  const compared: Comparison['compared'] = [];
  for (const d of destinations) {
    const head = await registry.headManifest(d).catch(() => undefined);
    if (!head) continue;
    if (head.digest === digest) {
      const configDigest = image.configDescriptor().digest;
      compared.push({
        reference: d.toString(),
        digest,
        mediaType: head.mediaType,
        size: head.size,
        configDigest,
        same: true,
      });
      continue;
    }
    const held = await pullImage(registry, d, { platform: image.platform });
    const why = difference(
      image,
      { layers: held.manifest.layers.map((l) => String(l.digest)), config: held.config },
      ignore,
    );
    compared.push({
      reference: d.toString(),
      digest: held.digest,
      mediaType: held.mediaType,
      size: held.manifestBytes.length,
      configDigest: String(held.manifest.config.digest),
      same: why === undefined,
      ...(why ? { why } : {}),
    });
  }
  return { compared, unchanged: compared.length > 0 && compared.every((c) => c.same) };
}
