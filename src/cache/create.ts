/**
 * The layer cache a build uses, from its options: undefined when caching is
 * off. Backends are added by the cache issue; until then the cache is off.
 */
import type { BuildOptions } from '../build/options.js';
import type { Logger } from '../log.js';
import type { RegistryClient } from '../registry/client.js';
import type { LayerCache } from './layer-cache.js';

export interface CacheDeps {
  options: BuildOptions;
  registry: RegistryClient;
  log: Logger;
  /** Where the build keeps its files (for staging cache downloads). */
  workspaceRoot: string;
}

export async function createLayerCache(deps: CacheDeps): Promise<LayerCache | undefined> {
  if (!deps.options.cache.enabled) return undefined;
  deps.log.warn('--cache: the layer cache is not implemented yet; building without it');
  return undefined;
}
