/**
 * The registry backend without a build, against the real registry: an
 * entry is a small image tagged with the key; a hit fetches manifest and
 * config only (the layer stays lazy); the TTL reads the config's created
 * time; something under the tag that is not an entry is a miss.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { RegistryLayerCache } from '../../src/cache/registry-cache.js';
import { sha256 } from '../../src/image/digest.js';
import { layerFromOpener } from '../../src/image/layer.js';
import { parseReference } from '../../src/image/reference.js';
import { silentLogger } from '../../src/log.js';
import { RegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials.js';
import { pushImage } from '../../src/registry/push.js';
import { imageOf, layerFromFiles } from '../lab/busybox-fixture.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';

describeWith({ binaries: ['docker-registry', 'tar'] }, 'registry cache entries', () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  const DAY = 86_400_000;

  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient({ insecure: [registry.host] });
  });
  afterAll(async () => {
    await client?.close();
    await registry?.stop();
  });

  function cache(now: () => Date, repo = 'r/cache') {
    return new RegistryLayerCache({
      registry: client,
      repo: parseReference(`${registry.host}/${repo}`, { defaultTag: false }),
      ttlMs: 14 * DAY,
      now,
      log: silentLogger,
    });
  }

  test('store, then a lazy hit; no-change entries; the TTL; a missing tag', async () => {
    const bytes = Buffer.from('a layer that is a plain tar stand-in');
    const d = sha256(bytes);
    const layer = layerFromOpener(
      { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d, diffId: d, size: bytes.length },
      () => Readable.from([bytes]),
    );
    const made = new Date('2030-01-01T00:00:00Z');
    const c = cache(() => made);
    c.store('1'.repeat(64), layer);
    c.store('2'.repeat(64), undefined);
    expect(await c.flush()).toEqual([]);

    const before = registry.requests().length;
    const hit = await c.lookup('1'.repeat(64));
    expect(hit.hit && hit.layer?.digest).toBe(d);
    expect(hit.hit && hit.layer?.diffId).toBe(d);
    const gets = registry
      .requests()
      .slice(before)
      .filter((r) => r.method === 'GET');
    expect(gets.some((r) => r.path.endsWith(d))).toBe(false);
    expect(await c.lookup('2'.repeat(64))).toEqual({ hit: true, layer: undefined });
    expect(await c.lookup('3'.repeat(64))).toEqual({ hit: false, reason: 'no entry' });

    const later = cache(() => new Date(made.getTime() + 15 * DAY));
    expect(await later.lookup('1'.repeat(64))).toEqual({ hit: false, reason: 'expired' });
  });

  test('an image under a key tag that is not an entry is an invalid entry, not a hit', async () => {
    const two = imageOf([await layerFromFiles('/tmp', { a: 'a' }), await layerFromFiles('/tmp', { b: 'b' })]);
    await pushImage(client, [parseReference(`${registry.host}/r/cache:${'4'.repeat(64)}`)], two);
    const c = cache(() => new Date());
    expect(await c.lookup('4'.repeat(64))).toEqual({ hit: false, reason: 'invalid entry' });
  });

  test('a repository the credentials may not use: lookups miss, the first denied store is the one warning', async () => {
    const locked = await startRegistry({
      auth: 'token',
      users: { kiln: { password: 'pw', access: { 'open/*': ['pull', 'push'] } } },
    });
    const c2 = new RegistryClient({
      insecure: [locked.host],
      retry: { attempts: 1 },
      credentials: staticCredentials({ [locked.host]: { kind: 'basic', username: 'kiln', password: 'pw' } }),
    });
    try {
      const c = new RegistryLayerCache({
        registry: c2,
        repo: parseReference(`${locked.host}/locked/cache`, { defaultTag: false }),
        ttlMs: DAY,
        now: () => new Date(),
        log: silentLogger,
      });
      expect(await c.lookup('5'.repeat(64))).toEqual({ hit: false, reason: 'no entry (access denied)' });
      c.store('5'.repeat(64), undefined);
      c.store('6'.repeat(64), undefined);
      const warnings = await c.flush();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/storing a cache entry failed \(the build is not affected\)/);
    } finally {
      await c2.close();
      await locked.stop();
    }
  });
});
