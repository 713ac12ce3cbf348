/**
 * TLS and schemes against the real registry: verification on by default,
 * a custom CA accepted, verification skipped per host; loopback registries
 * tried over HTTPS then HTTP; --insecure-registry goes straight to HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parseReference } from '../../src/image/reference.js';
import { streamLogger } from '../../src/log.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { pullImage } from '../../src/registry/pull.js';
import { pushImage } from '../../src/registry/push.js';
import { imageOf, makeBusyboxImage, type TestImage } from '../lab/busybox-fixture.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { validateImage } from '../lab/validate-image.js';

describeWith(
  { binaries: ['docker-registry', 'openssl', 'tar', 'busybox'] },
  'registry TLS and schemes',
  () => {
    let image: TestImage;
    beforeAll(async () => {
      image = imageOf((await makeBusyboxImage()).layers);
    });

    describe('HTTPS registry with a private CA', () => {
      let reg: TestRegistry;
      beforeAll(async () => {
        reg = await startRegistry({ tls: true });
      });
      afterAll(async () => {
        await reg.stop();
      });
      const run = async (opts: RegistryClientOptions, path: string) => {
        const c = new RegistryClient({ retry: { attempts: 2, baseDelayMs: 1 }, ...opts });
        try {
          const ref = parseReference(`${reg.host}/${path}`);
          await pushImage(c, [ref], image);
          expect((await pullImage(c, ref)).digest).toBe(image.digest);
          await validateImage(c, ref);
        } finally {
          await c.close();
        }
      };

      test('an untrusted certificate is refused, with what to do (no silent fallback to HTTP)', async () => {
        const c = new RegistryClient({ retry: { attempts: 2, baseDelayMs: 1 } });
        const e = await pullImage(c, parseReference(`${reg.host}/tls/none:1`)).catch((x: unknown) => x);
        await c.close();
        expect(e).toBeInstanceOf(RegistryError);
        expect((e as RegistryError).failure).toBe('network');
        expect((e as Error).message).toMatch(/GET https:\/\/127\.0\.0\.1:\d+\/v2\//);
        expect((e as RegistryError).settings).toContain('registry-certificate');
        expect((e as Error).message).toMatch(/\{\{registry-certificate 127\.0\.0\.1:\d+=ca\.pem\}\}/);
      });

      test('the CA file for the host makes it trusted', async () => {
        await run({ caFiles: { [reg.host]: reg.caPath! } }, 'tls/ca:1');
      });

      test('a global CA file works too', async () => {
        await run({ caFile: reg.caPath! }, 'tls/globalca:1');
      });

      test('skip-tls-verify for the host', async () => {
        await run({ skipTlsVerify: [reg.host] }, 'tls/skip:1');
      });

      test('--insecure-registry against an HTTPS registry says so', async () => {
        const c = new RegistryClient({ insecure: [reg.host], retry: { attempts: 1 } });
        const e = await pullImage(c, parseReference(`${reg.host}/tls/x:1`)).catch((x: unknown) => x);
        await c.close();
        expect((e as Error).message).toMatch(
          /→ 400.*speaks HTTPS: drop \{\{insecure-registry 127\.0\.0\.1:\d+\}\}/,
        );
      });
    });

    describe('plain HTTP registry on loopback', () => {
      let reg: TestRegistry;
      beforeAll(async () => {
        reg = await startRegistry();
      });
      afterAll(async () => {
        await reg.stop();
      });

      test('tries HTTPS first, then falls back to HTTP (like Docker for localhost)', async () => {
        const lines: string[] = [];
        const c = new RegistryClient({
          logger: streamLogger({ verbose: true, write: (l) => lines.push(l) }),
        });
        await pushImage(c, [parseReference(`${reg.host}/plain/a:1`)], image);
        await c.close();
        expect(lines.some((l) => l.includes(`GET https://${reg.host}/v2/ failed`))).toBe(true);
        expect(lines.some((l) => l.includes('trying plain HTTP'))).toBe(true);
        expect(lines.some((l) => l.includes(`PUT http://${reg.host}/v2/plain/a/manifests/1 → 201`))).toBe(
          true,
        );
      });

      test('--insecure-registry goes straight to HTTP', async () => {
        const lines: string[] = [];
        const c = new RegistryClient({
          insecure: [reg.host],
          logger: streamLogger({ verbose: true, write: (l) => lines.push(l) }),
        });
        await pushImage(c, [parseReference(`${reg.host}/plain/b:1`)], image);
        await c.close();
        expect(lines.some((l) => l.includes('https://'))).toBe(false);
        expect(lines.some((l) => l.includes(`GET http://${reg.host}/v2/ → 200`))).toBe(true);
      });

      test('a registry that is not there: a network error naming it, after the bounded attempts', async () => {
        const { freePort } = await import('../lab/registry.js');
        const port = await freePort();
        const delays: number[] = [];
        const c = new RegistryClient({ retry: { attempts: 3, sleep: async (ms) => void delays.push(ms) } });
        const e = await pullImage(c, parseReference(`127.0.0.1:${port}/x/y:1`)).catch((x: unknown) => x);
        await c.close();
        expect((e as RegistryError).failure).toBe('network');
        expect((e as Error).message).toMatch(/ECONNREFUSED/);
        expect((e as Error).message).toMatch(/gave up after 3 attempts/);
        expect(delays).toHaveLength(2);
      });
    });
  },
);
