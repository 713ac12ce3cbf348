/**
 * Local directory in front of a registry cache (--cache-dir with
 * --cache-repo): look up locally first, then in the registry; store in both.
 * A registry hit's layer is kept locally once it is read, so the next build
 * on this machine reads it from disk.
 */
import type { Layer } from '../image/blob.js';
import type { KeyTrace } from './key-trace.js';
import type { CacheLookup, LayerCache } from './layer-cache.js';
import type { LocalLayerCache } from './local-cache.js';
import type { RegistryLayerCache } from './registry-cache.js';

export class TieredLayerCache implements LayerCache {
  readonly name: string;
  readonly mountSource: { registry: string; repository: string };

  constructor(
    private readonly local: LocalLayerCache,
    private readonly remote: RegistryLayerCache,
  ) {
    this.name = `${local.name} + ${remote.name}`;
    this.mountSource = remote.mountSource;
  }

  get fileDigests() {
    return this.local.fileDigests;
  }

  async lookup(key: string): Promise<CacheLookup> {
    const near = await this.local.lookup(key);
    if (near.hit) return near;
    const far = await this.remote.lookup(key);
    if (!far.hit) return { hit: false, reason: far.reason };
    return { hit: true, layer: far.layer ? this.local.keepLayer(far.layer) : undefined };
  }

  store(key: string, layer: Layer | undefined, trace?: KeyTrace): void {
    this.local.store(key, layer, trace);
    this.remote.store(key, layer, trace);
  }

  async previousTrace(parent: string): Promise<KeyTrace | undefined> {
    return (await this.local.previousTrace(parent)) ?? (await this.remote.previousTrace(parent));
  }

  keepLayer(layer: Layer): Layer {
    return this.local.keepLayer(layer);
  }

  async flush(): Promise<string[]> {
    const [a, b] = await Promise.all([this.local.flush(), this.remote.flush()]);
    return [...a, ...b];
  }
}
