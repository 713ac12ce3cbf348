/**
 * Fault injection between the client and the real registry (through the
 * lab's proxy): 5xx and 429 then success, connection resets mid-upload and
 * mid-download, corrupt and truncated blobs, timeouts, expired and refused
 * tokens. Each case recovers or fails with a clear error, and no manifest is
 * ever pushed that names a blob the registry lacks.
 */

import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { RegistryClientOptions } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials.js';
import { RegistryError } from '../../src/registry/errors.js';
import { pullImage } from '../../src/registry/pull.js';
import { pushImage } from '../../src/registry/push.js';
import { imageOf } from '../lab/busybox-fixture.js';
import { useFaultLab } from '../lab/fault-lab.js';
import type { FaultProxy } from '../lab/fault-proxy.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { validateImage } from '../lab/validate-image.js';

async function bytesOf(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Reads a stream to its end or error; returns how many bytes arrived and the error. */
async function drain(s: Readable): Promise<{ received: number; error?: unknown }> {
  let received = 0;
  try {
    for await (const c of s) received += (c as Buffer).length;
    return { received };
  } catch (error) {
    return { received, error };
  }
}

const ATTEMPTS = 4;

describeWith({ binaries: ['docker-registry', 'openssl', 'tar', 'busybox'] }, 'registry faults', () => {
  const lab = useFaultLab({ name: 'faults', attempts: ATTEMPTS, maxDelayMs: 60_000 });
  const { delays, at } = lab;
  const client = (_target: unknown, opts?: RegistryClientOptions) => lab.client(opts);
  const manifestPuts = (p: FaultProxy) =>
    p.requests.filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'));
  let proxy: FaultProxy | undefined;

  test('5xx answers are retried and the push and pull succeed', async () => {
    proxy = await lab.startProxy([
      { method: 'HEAD', path: /\/blobs\//, action: { kind: 'status', status: 500 } },
      { method: 'PUT', path: /\/blobs\/uploads\//, times: 2, action: { kind: 'status', status: 503 } },
      { method: 'PUT', path: /\/manifests\//, action: { kind: 'status', status: 502 } },
      { method: 'GET', path: /\/manifests\//, action: { kind: 'status', status: 504 } },
    ]);
    const c = client(proxy);
    const ref = at(proxy.host, 'faults/5xx:1');
    expect(await pushImage(c, [ref], lab.image)).toBe(lab.image.digest);
    expect((await pullImage(c, ref)).digest).toBe(lab.image.digest);
    expect(
      proxy.requests
        .filter((r) => r.fault === 'status')
        .map((r) => r.status)
        .sort(),
    ).toEqual([500, 502, 503, 503, 504]);
    expect(delays.length).toBeGreaterThanOrEqual(5);
    await validateImage(client(lab.reg), at(lab.reg.host, 'faults/5xx:1'));
  });

  test('429 with Retry-After: the wait asked for is honoured, then success', async () => {
    proxy = await lab.startProxy([
      {
        method: 'POST',
        path: /\/blobs\/uploads\//,
        action: { kind: 'status', status: 429, headers: { 'retry-after': '3' } },
      },
      {
        method: 'GET',
        path: /\/manifests\//,
        action: { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
      },
    ]);
    const c = client(proxy);
    const ref = at(proxy.host, 'faults/429:1');
    await pushImage(c, [ref], lab.image);
    expect(delays).toContain(3000);
    expect((await pullImage(c, ref)).digest).toBe(lab.image.digest);
    expect(delays).toContain(2000);
    await validateImage(client(lab.reg), at(lab.reg.host, 'faults/429:1'));
  });

  test('a connection reset mid-upload restarts that blob (monolithic and chunked)', async () => {
    proxy = await lab.startProxy([
      {
        method: 'PUT',
        path: new RegExp(`digest=sha256%3A${lab.big}`),
        action: { kind: 'reset-request', afterBytes: 300_000 },
      },
    ]);
    const ref = at(proxy.host, 'faults/reset:1');
    expect(await pushImage(client(proxy), [ref], lab.image)).toBe(lab.image.digest);
    const puts = proxy.requests.filter((r) => r.method === 'PUT' && r.path.includes(lab.big));
    expect(puts.map((r) => r.status)).toEqual([0, 201]);
    await validateImage(client(lab.reg), at(lab.reg.host, 'faults/reset:1'));

    proxy.add({ method: 'PATCH', skip: 1, action: { kind: 'reset-request', afterBytes: 100_000 } });
    const chunkedRef = at(proxy.host, 'faults/reset-chunked:1');
    const before = proxy.requests.length;
    await pushImage(client(proxy, { chunkSize: 256 * 1024 }), [chunkedRef], lab.image);
    const patches = proxy.requests.slice(before).filter((r) => r.method === 'PATCH');
    expect(patches.some((r) => r.status === 0)).toBe(true);
    expect(patches.filter((r) => r.status === 202).length).toBeGreaterThanOrEqual(
      Math.ceil(lab.image.layers[0]!.size / 262144),
    );
    await validateImage(client(lab.reg), at(lab.reg.host, 'faults/reset-chunked:1'));
  });

  test('a connection reset or a short body mid-download resumes with a Range request', async () => {
    await pushImage(client(lab.reg), [at(lab.reg.host, 'faults/pull:1')], lab.image);
    proxy = await lab.startProxy([
      {
        method: 'GET',
        path: new RegExp(`/blobs/sha256:${lab.big}`),
        action: { kind: 'reset-response', afterBytes: 200_000 },
      },
      {
        method: 'GET',
        path: new RegExp(`/blobs/sha256:${lab.big}`),
        action: { kind: 'truncate-body', keepBytes: 500_000 },
      },
    ]);
    const pulled = await pullImage(client(proxy), at(proxy.host, 'faults/pull:1'));
    const got = await bytesOf(pulled.layers[0]!.open());
    expect(got.equals(await bytesOf(lab.image.layers[0]!.open()))).toBe(true);
    const gets = proxy.requests.filter((r) => r.path.includes(`/blobs/sha256:${lab.big}`));
    expect(gets.map((r) => r.fault)).toEqual(['reset-response', 'truncate-body', undefined]);
    // Resumed where the client's bytes ended (at most what the proxy wrote before the reset).
    const starts = gets.map((r) => Number(/^bytes=(\d+)-$/.exec(r.range ?? '')?.[1] ?? 0));
    expect(starts[0]).toBe(0);
    expect(starts[1]).toBeGreaterThan(0);
    expect(starts[1]).toBeLessThanOrEqual(200_000);
    expect(starts[2]).toBe(starts[1]! + 500_000);
  });

  test('a truncated blob that stays truncated fails clearly; its last bytes are never delivered', async () => {
    await pushImage(client(lab.reg), [at(lab.reg.host, 'faults/trunc:1')], lab.image);
    proxy = await lab.startProxy([
      {
        method: 'GET',
        path: new RegExp(`/blobs/sha256:${lab.big}`),
        times: Number.POSITIVE_INFINITY,
        action: { kind: 'truncate-body', keepBytes: 0 },
      },
    ]);
    const pulled = await pullImage(client(proxy), at(proxy.host, 'faults/trunc:1'));
    const { received, error } = await drain(pulled.layers[0]!.open());
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).failure).toBe('truncated');
    expect((error as Error).message).toMatch(/the body ended after 0 of \d+ bytes; gave up after 4 attempts/);
    expect(received).toBe(0);
  });

  test('a blob whose content does not match its digest fails clearly and is withheld', async () => {
    await pushImage(client(lab.reg), [at(lab.reg.host, 'faults/corrupt:1')], lab.image);
    proxy = await lab.startProxy([
      {
        method: 'GET',
        path: new RegExp(`/blobs/sha256:${lab.big}`),
        times: Number.POSITIVE_INFINITY,
        action: { kind: 'corrupt-body' },
      },
      {
        method: 'GET',
        path: new RegExp(`/blobs/${lab.image.configBlob.digest}`),
        action: { kind: 'corrupt-body' },
      },
      { method: 'GET', path: new RegExp(`/manifests/${lab.image.digest}`), action: { kind: 'corrupt-body' } },
    ]);
    const c = client(proxy);
    const ref = at(proxy.host, 'faults/corrupt:1');
    // The config is read whole during the pull: corrupt → the pull fails.
    const e1 = await pullImage(c, ref).catch((x: unknown) => x);
    expect((e1 as RegistryError).failure).toBe('digest-mismatch');
    expect((e1 as Error).message).toContain(`pull blob ${lab.image.configBlob.digest}`);
    // A manifest fetched by digest is verified.
    const e2 = await c.getManifest(ref.withDigest(lab.image.digest)).catch((x: unknown) => x);
    expect((e2 as RegistryError).failure).toBe('digest-mismatch');
    // A layer: the stream errors before its last bytes arrive.
    const pulled = await pullImage(c, ref);
    const { received, error } = await drain(pulled.layers[0]!.open());
    expect((error as RegistryError).failure).toBe('digest-mismatch');
    expect((error as Error).message).toMatch(/the content hashes to sha256:[0-9a-f]{64}, not sha256:/);
    expect(received).toBeLessThan(lab.image.layers[0]!.size);
    await expect(bytesOf(pulled.layers[0]!.openUncompressed())).rejects.toThrow(
      /digest|hashes|incorrect header|invalid/,
    );
  });

  test('pushing content that does not match its digest is refused and no manifest is pushed', async () => {
    proxy = await lab.startProxy();
    const good = lab.image.layers[1]!;
    // Same digest and size, other bytes.
    const bad = imageOf([{ ...good, open: () => Readable.from([Buffer.alloc(good.size, 1)]) }]);
    const e = await pushImage(client(proxy), [at(proxy.host, 'faults/liar:1')], bad).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).hasCode('DIGEST_INVALID')).toBe(true);
    expect((e as Error).message).toContain(`upload blob ${good.digest}`);
    expect(manifestPuts(proxy)).toHaveLength(0);
  });

  test('a registry that keeps failing: the push gives up after the bounded attempts and pushes no manifest', async () => {
    proxy = await lab.startProxy([
      {
        method: 'PUT',
        path: new RegExp(`digest=sha256%3A${lab.big}`),
        times: Number.POSITIVE_INFINITY,
        action: {
          kind: 'status',
          status: 503,
          body: '{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}',
        },
      },
    ]);
    const e = await pushImage(client(proxy), [at(proxy.host, 'faults/down:1')], lab.image).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as Error).message).toMatch(
      /upload blob sha256:.*→ 503; registry says: UNAVAILABLE: try later; gave up after 4 attempts/,
    );
    expect(proxy.requests.filter((r) => r.method === 'PUT' && r.path.includes(lab.big))).toHaveLength(
      ATTEMPTS,
    );
    expect(manifestPuts(proxy)).toHaveLength(0);
    expect(await client(lab.reg).headManifest(at(lab.reg.host, 'faults/down:1'))).toBeUndefined();
  });

  test('a response that never comes times out and is retried', async () => {
    await pushImage(client(lab.reg), [at(lab.reg.host, 'faults/slow:1')], lab.image);
    proxy = await lab.startProxy([
      { method: 'GET', path: /\/manifests\//, action: { kind: 'delay', ms: 1500 } },
    ]);
    const c = client(proxy, { headersTimeoutMs: 300 });
    expect((await pullImage(c, at(proxy.host, 'faults/slow:1'))).digest).toBe(lab.image.digest);
    expect(proxy.requests.filter((r) => r.path.includes('/manifests/')).length).toBe(2);
  });

  describe('token expiry and refusal mid-push', () => {
    let treg: TestRegistry;
    beforeAll(async () => {
      // Tokens live 2 s, but the client is told an hour: only a 401 tells it.
      treg = await startRegistry({ auth: 'token', tokenLifetimeSeconds: 2, reportedExpiresIn: 3600 });
    });
    afterAll(async () => {
      await treg.stop();
    });
    const creds = () =>
      staticCredentials({ [proxy!.host]: { kind: 'basic', username: 'kiln', password: 'kiln-pass' } });

    test('a token that expires mid-push gets a 401; the client refreshes it and finishes', async () => {
      proxy = await lab.startProxy(
        [
          {
            method: 'PUT',
            path: new RegExp(`digest=sha256%3A${lab.big}`),
            action: { kind: 'delay', ms: 3000 },
          },
        ],
        {},
        treg.url,
      );
      const tokensBefore = treg.token!.requests.length;
      const ref = at(proxy.host, 'faults/expiry:1');
      expect(await pushImage(client(proxy, { credentials: creds() }), [ref], lab.image)).toBe(
        lab.image.digest,
      );
      const delayed = proxy.requests.filter((r) => r.method === 'PUT' && r.path.includes(lab.big));
      expect(delayed.map((r) => r.status)).toEqual([401, 201]);
      expect(treg.token!.requests.length - tokensBefore).toBeGreaterThanOrEqual(2);
      await validateImage(client(proxy, { credentials: creds() }), ref);
    });

    test('a 401 on a chunk (a body that cannot be replayed) restarts the blob with a new token', async () => {
      proxy = await lab.startProxy(
        [{ method: 'PATCH', skip: 1, action: { kind: 'unauthorized' } }],
        {},
        treg.url,
      );
      const ref = at(proxy.host, 'faults/expiry-chunked:1');
      const tokensBefore = treg.token!.requests.length;
      await pushImage(client(proxy, { credentials: creds(), chunkSize: 256 * 1024 }), [ref], lab.image);
      expect(proxy.requests.some((r) => r.fault === 'unauthorized')).toBe(true);
      expect(treg.token!.requests.length - tokensBefore).toBeGreaterThanOrEqual(2);
      await validateImage(client(proxy, { credentials: creds() }), ref);
    });

    test('403 DENIED (as ghcr.io answers a token without write access) fails at once with the codes', async () => {
      const denied = '{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}';
      proxy = await lab.startProxy(
        [{ method: 'PUT', path: /\/manifests\//, action: { kind: 'status', status: 403, body: denied } }],
        {},
        treg.url,
      );
      const e = await pushImage(
        client(proxy, { credentials: creds() }),
        [at(proxy.host, 'faults/denied:1')],
        lab.image,
      ).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RegistryError);
      expect((e as RegistryError).status).toBe(403);
      expect((e as RegistryError).hasCode('DENIED')).toBe(true);
      expect((e as Error).message).toMatch(
        /push manifest tag 1 \(127\.0\.0\.1:\d+\/faults\/denied\) failed: PUT http:\/\/127\.0\.0\.1:\d+\/v2\/faults\/denied\/manifests\/1 → 403; registry says: DENIED: permission_denied: write_package\. The credentials .* lack permission/,
      );
      expect(manifestPuts(proxy)).toHaveLength(1);
      expect(delays).toHaveLength(0);
    });

    test('a 401 that persists fails with the status and pushes no manifest', async () => {
      proxy = await lab.startProxy(
        [
          {
            method: 'PUT',
            path: /\/blobs\/uploads\//,
            times: Number.POSITIVE_INFINITY,
            action: { kind: 'unauthorized' },
          },
        ],
        {},
        treg.url,
      );
      const ref = at(proxy.host, 'faults/expiry-final:1');
      const e = await pushImage(client(proxy, { credentials: creds() }), [ref], lab.image).catch(
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(RegistryError);
      expect((e as RegistryError).status).toBe(401);
      expect((e as Error).message).toMatch(
        /upload blob sha256:[0-9a-f]{64} \(127\.0\.0\.1:\d+\/faults\/expiry-final\) failed: PUT .* → 401/,
      );
      expect(manifestPuts(proxy)).toHaveLength(0);
    });
  });
});
