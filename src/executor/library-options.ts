/**
 * BuildOptions mapped onto the libraries' own options: the registry client's
 * (RegistryClientOptions) and the layer cache's (CacheConfig). The libraries
 * know nothing of BuildOptions.
 */
import type { CacheConfig } from '../cache/create.js';
import type { Logger } from '../log.js';
import type { RegistryClientOptions } from '../registry/client.js';
import type { CredentialProvider } from '../registry/credentials.js';
import type { BuildOptions } from './options.js';

export function registryClientOptions(
  o: Pick<
    BuildOptions,
    'insecureRegistries' | 'skipTlsVerifyRegistries' | 'registryCertificates' | 'pushRetry'
  >,
  extra: { credentials?: CredentialProvider; logger?: Logger },
): RegistryClientOptions {
  return {
    credentials: extra.credentials,
    logger: extra.logger,
    insecure: o.insecureRegistries,
    skipTlsVerify: o.skipTlsVerifyRegistries,
    caFiles: o.registryCertificates,
    retry: { attempts: o.pushRetry },
  };
}

/** The cache's configuration; undefined when the build uses no cache. */
export function cacheConfig(o: Pick<BuildOptions, 'cache'>): CacheConfig | undefined {
  const c = o.cache;
  return c.enabled ? { repo: c.repo, dir: c.dir, ttlMs: c.ttlMs, mode: c.mode } : undefined;
}
