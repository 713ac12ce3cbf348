/**
 * The registry backend (--cache-repo), stored like kaniko's: one small OCI
 * image per entry, tagged with the key, whose single layer is the cached
 * layer (none when the step changed nothing) and whose config's `created`
 * dates the entry for the TTL. A lookup is a manifest GET by tag and a
 * config GET; the layer stays a lazy RemoteLayer, so a hit downloads nothing
 * unless a later step needs the files. Because the layers live in a
 * repository of the registry, a push to the same registry mounts them.
 *
 * When the cache repository cannot be reached (network, server errors), the
 * first failure is one warning and the build goes on without this cache. A
 * denied lookup is a miss (ghcr.io denies pulls of a repository that does
 * not exist yet); a denied store is a warning and ends the stores.
 *
 * An entry's config also carries the trace of its key (key-trace.ts), and
 * the entry is tagged `parent-<parent key>` too, so that a later miss can
 * find the last entry stored under the same parent and say what changed.
 */
import { setting } from '../hints.js';
import type { Layer } from '../image/blob.js';
import { parseDigest } from '../image/digest.js';
import { emptyImage } from '../image/image.js';
import type { ImageConfig, ImageManifest } from '../image/manifest.js';
import { isManifestMediaType } from '../image/media-types.js';
import { hostPlatform } from '../image/platform.js';
import type { Reference } from '../image/reference.js';
import type { Logger } from '../log.js';
import type { RegistryClient } from '../registry/client.js';
import { RegistryError } from '../registry/errors.js';
import { imagePushInput, pushImage } from '../registry/push.js';
import { RemoteLayer } from '../registry/remote-blob.js';
import { BackgroundQueue } from './background.js';
import { staleness } from './entry.js';
import { type KeyTrace, parseTrace } from './key-trace.js';
import { type CacheLookup, type LayerCache, MissReason } from './layer-cache.js';

export interface RegistryCacheOptions {
  registry: RegistryClient;
  repo: Reference;
  ttlMs: number;
  now: () => Date;
  log: Logger;
}

/** Entries' configs are small (a trace is at most a few hundred labels); anything larger is not one of ours. */
const CONFIG_LIMIT = 256 * 1024;
/** The config label that holds an entry's key trace. */
const TRACE_LABEL = 'dev.kiln.cache.trace';
const KEY = /^[a-f0-9]{64}$/;

export class RegistryLayerCache implements LayerCache {
  readonly name: string;
  readonly mountSource: { registry: string; repository: string };
  private readonly queue: BackgroundQueue;
  /** Set after the first failure to reach the repository: lookups miss, stores are skipped. */
  private down: string | undefined;
  private warned = false;

  constructor(private readonly opts: RegistryCacheOptions) {
    this.name = `registry ${opts.repo.name}`;
    this.mountSource = { registry: opts.repo.registry, repository: opts.repo.repository };
    this.queue = new BackgroundQueue(this.name);
  }

  private unreachable(e: unknown): CacheLookup {
    const why = e instanceof Error ? e.message : String(e);
    this.down ??= why;
    if (!this.warned) {
      this.warned = true;
      this.opts.log.warn(
        `cache ${this.opts.repo.name} is unreachable, building without it: ${why} (check ${setting('cache-repo')} and its credentials)`,
      );
    }
    return { hit: false, reason: MissReason.unreachable };
  }

  private invalid(key: string, why: string): CacheLookup {
    this.opts.log.debug(`${this.name}: entry ${key} is not usable: ${why}`);
    return { hit: false, reason: MissReason.invalid };
  }

  async lookup(key: string): Promise<CacheLookup> {
    if (this.down) return { hit: false, reason: MissReason.unreachable };
    const { registry, repo } = this.opts;
    const ref = repo.withTag(key);
    let manifest: ImageManifest;
    let config: ImageConfig;
    try {
      const m = await registry.getManifest(ref);
      if (!isManifestMediaType(m.mediaType)) return this.invalid(key, `a ${m.mediaType} document`);
      manifest = JSON.parse(m.bytes.toString('utf8')) as ImageManifest;
      if (!manifest.config || !Array.isArray(manifest.layers) || manifest.layers.length > 1) {
        return this.invalid(key, 'not a cache entry (one config, at most one layer)');
      }
      const cd = manifest.config;
      parseDigest(String(cd.digest));
      if (!Number.isSafeInteger(cd.size) || cd.size < 0) return this.invalid(key, 'bad config size');
      config = JSON.parse(
        (await registry.readBlob(repo, { digest: cd.digest, size: cd.size }, CONFIG_LIMIT)).toString('utf8'),
      ) as ImageConfig;
    } catch (e) {
      if (e instanceof RegistryError) {
        if (e.status === 404) return { hit: false, reason: MissReason.noEntry };
        // Registries such as ghcr.io deny a pull of a repository that does not exist yet: a miss,
        // and stores go on (a store that is denied too is the warning).
        if (e.status === 401 || e.status === 403) {
          this.opts.log.debug(`${this.name}: lookup of ${key} denied: ${e.message}`);
          return { hit: false, reason: MissReason.denied };
        }
        if (e.failure === 'digest-mismatch' || e.failure === 'invalid-response') {
          return this.invalid(key, e.message);
        }
        return this.unreachable(e);
      }
      return this.invalid(key, (e as Error).message);
    }
    const stale = staleness(config.created, this.opts.ttlMs, this.opts.now());
    if (stale) return { hit: false, reason: stale };
    const d = manifest.layers[0];
    if (!d) return { hit: true, layer: undefined };
    try {
      parseDigest(String(d.digest));
      const diffId = parseDigest(String(config.rootfs?.diff_ids?.[0]));
      if (!Number.isSafeInteger(d.size) || d.size < 0 || typeof d.mediaType !== 'string') {
        return this.invalid(key, 'bad layer descriptor');
      }
      return { hit: true, layer: new RemoteLayer(registry, repo, d, diffId) };
    } catch (e) {
      return this.invalid(key, (e as Error).message);
    }
  }

  store(key: string, layer: Layer | undefined, trace?: KeyTrace): void {
    if (this.down) return;
    this.queue.run(`entry ${key.slice(0, 12)}`, async () => {
      if (this.down) return;
      try {
        await this.push(key, layer, trace);
      } catch (e) {
        if (e instanceof RegistryError && (e.failure === 'network' || e.status === 401 || e.status === 403)) {
          this.down ??= e.message;
        }
        throw e;
      }
    });
  }

  /** The trace of the last entry stored under `parent` (its `parent-` tag); undefined when none or unreadable. */
  async previousTrace(parent: string): Promise<KeyTrace | undefined> {
    if (this.down || !KEY.test(parent)) return undefined;
    const { registry, repo } = this.opts;
    try {
      const m = await registry.getManifest(repo.withTag(`parent-${parent}`));
      const manifest = JSON.parse(m.bytes.toString('utf8')) as ImageManifest;
      const cd = manifest.config;
      const config = JSON.parse(
        (await registry.readBlob(repo, { digest: cd.digest, size: cd.size }, CONFIG_LIMIT)).toString('utf8'),
      ) as ImageConfig;
      const text = config.config?.Labels?.[TRACE_LABEL];
      return text ? parseTrace(JSON.parse(text)) : undefined;
    } catch (e) {
      this.opts.log.debug(
        `${this.name}: no trace under parent ${parent.slice(0, 12)}: ${(e as Error).message}`,
      );
      return undefined;
    }
  }

  /** Pushes the entry now (tagged with its key, and with its parent's when it has a trace). */
  async push(key: string, layer: Layer | undefined, trace?: KeyTrace): Promise<void> {
    const history = { created_by: 'kiln cache entry' };
    let image = emptyImage(hostPlatform());
    image = layer ? image.appendLayer(layer, history) : image.addHistory(history);
    const created = this.opts.now().toISOString();
    image = image.withConfig((c) => {
      c.created = created;
      if (trace) c.config.Labels = { [TRACE_LABEL]: JSON.stringify(trace) };
    });
    const tags = [this.opts.repo.withTag(key)];
    if (trace && KEY.test(trace.parent)) tags.push(this.opts.repo.withTag(`parent-${trace.parent}`));
    await pushImage(this.opts.registry, tags, imagePushInput(image));
  }

  flush(): Promise<string[]> {
    return this.queue.settle();
  }
}
