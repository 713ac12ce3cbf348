/**
 * Recovery step by step (issue 19, item 4), through the lab's fault proxy in
 * front of the real registry: the `/v2/` ping is retried and its Retry-After
 * honoured (seconds, HTTP date, capped); each upload step is retried on its
 * own instead of restarting the blob; a broken chunk resumes from the offset
 * the registry reports; a partial upload the registry kept starts a new
 * session; a manifest or blob stored before an error answer counts as
 * pushed; a stalled body is cut off and fetched again.
 */

import { expect, test } from '@jest/globals';
import type { RegistryClientOptions } from '../../src/registry/client.js';
import { pullImage } from '../../src/registry/pull.js';
import { pushImage } from '../../src/registry/push.js';
import { DEFAULT_BODY_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS } from '../../src/registry/transport.js';
import { uploadedBytes } from '../../src/registry/upload.js';
import { useFaultLab } from '../lab/fault-lab.js';
import type { FaultProxy } from '../lab/fault-proxy.js';
import { describeWith } from '../lab/prereq.js';
import { validateImage } from '../lab/validate-image.js';

const ATTEMPTS = 4;
const MAX_DELAY = 10_000;
const CHUNK = 256 * 1024;

test('the upload status Range reads as the bytes the registry holds', () => {
  expect(uploadedBytes('0-0')).toBe(0);
  expect(uploadedBytes('0-262143')).toBe(262144);
  expect(uploadedBytes('bytes=0-9')).toBe(10);
  expect(uploadedBytes(undefined)).toBeUndefined();
  expect(uploadedBytes('5-9')).toBeUndefined();
});

test('a stalled response is cut off well before five minutes by default', () => {
  expect(DEFAULT_HEADERS_TIMEOUT_MS).toBeLessThanOrEqual(60_000);
  expect(DEFAULT_BODY_TIMEOUT_MS).toBeLessThanOrEqual(60_000);
});

describeWith({ binaries: ['docker-registry', 'tar', 'busybox'] }, 'registry fault recovery', () => {
  const lab = useFaultLab({ name: 'recovery', attempts: ATTEMPTS, maxDelayMs: MAX_DELAY });
  const { delays, warnings, at } = lab;
  const client = (opts?: RegistryClientOptions) => lab.client(opts);
  const count = (p: FaultProxy, method: string, re: RegExp) =>
    p.requests.filter((r) => r.method === method && re.test(r.path)).length;
  let proxy: FaultProxy;

  test('the first request, the /v2/ ping, answered 503 with Retry-After: 1 is retried after 1 s', async () => {
    proxy = await lab.startProxy([
      {
        method: 'GET',
        path: /^\/v2\/$/,
        action: { kind: 'status', status: 503, headers: { 'retry-after': '1' } },
      },
    ]);
    const ref = at(proxy.host, 'recovery/ping:1');
    expect(await pushImage(client(), [ref], lab.image)).toBe(lab.image.digest);
    expect(proxy.requests[0]).toMatchObject({ method: 'GET', path: '/v2/', status: 503 });
    expect(delays[0]).toBe(1000);
    await validateImage(client(), ref);
  });

  test('Retry-After as an HTTP date is honoured, and a long one is capped', async () => {
    const soon = new Date(Date.now() + 3000).toUTCString();
    proxy = await lab.startProxy([
      {
        method: 'GET',
        path: /^\/v2\/$/,
        action: { kind: 'status', status: 503, headers: { 'retry-after': soon } },
      },
      {
        method: 'HEAD',
        path: /\/blobs\//,
        action: { kind: 'status', status: 429, headers: { 'retry-after': '3600' } },
      },
    ]);
    await pushImage(client(), [at(proxy.host, 'recovery/date:1')], lab.image);
    expect(delays[0]).toBeGreaterThan(1000);
    expect(delays[0]).toBeLessThanOrEqual(3000);
    expect(delays).toContain(MAX_DELAY);
  });

  test('each upload step is retried on its own: a failed POST or PUT does not start the blob over', async () => {
    proxy = await lab.startProxy([
      { method: 'POST', path: /\/blobs\/uploads\//, times: 2, action: { kind: 'status', status: 503 } },
      {
        method: 'PUT',
        path: new RegExp(`digest=sha256%3A${lab.big}`),
        times: 2,
        action: { kind: 'status', status: 502 },
      },
    ]);
    const ref = at(proxy.host, 'recovery/steps:1');
    expect(await pushImage(client(), [ref], lab.image)).toBe(lab.image.digest);
    expect(count(proxy, 'HEAD', new RegExp(lab.big))).toBe(1);
    expect(count(proxy, 'PUT', new RegExp(lab.big))).toBe(3);
    // Three blobs, one session each, plus the two refused POSTs.
    expect(count(proxy, 'POST', /\/blobs\/uploads\//)).toBe(3 + 2);
    await validateImage(client(), ref);
  });

  test('a chunk broken off mid-body resumes at the offset the registry reports, in the same session', async () => {
    proxy = await lab.startProxy([
      { method: 'PATCH', skip: 2, action: { kind: 'reset-request', afterBytes: 100_000 } },
    ]);
    const ref = at(proxy.host, 'recovery/chunks:1');
    expect(await pushImage(client({ chunkSize: CHUNK }), [ref], lab.image)).toBe(lab.image.digest);
    const chunks = Math.ceil(lab.image.layers[0]!.size / CHUNK);
    expect(count(proxy, 'PATCH', /\/blobs\/uploads\//)).toBe(chunks + 1);
    expect(count(proxy, 'POST', /\/blobs\/uploads\//)).toBe(3);
    const status = proxy.requests.find((r) => r.method === 'GET' && r.path.includes('/blobs/uploads/'));
    expect(status?.status).toBe(204);
    expect(count(proxy, 'HEAD', new RegExp(lab.big))).toBe(1);
    await validateImage(client(), ref);
  });

  test('a broken upload that left bytes in the registry goes on from there or in a new session', async () => {
    proxy = await lab.startProxy([
      { method: 'PATCH', skip: 1, action: { kind: 'reset-request', afterBytes: 100_000, forward: true } },
    ]);
    const uploadStatus = () =>
      proxy!.requests.filter((r) => r.method === 'GET' && r.path.includes('/uploads/'));
    const chunked = at(proxy.host, 'recovery/kept-chunked:1');
    expect(await pushImage(client({ chunkSize: CHUNK }), [chunked], lab.image)).toBe(lab.image.digest);
    expect(uploadStatus()).toHaveLength(1);
    await validateImage(client(), chunked);

    proxy.add({
      method: 'PUT',
      path: new RegExp(`digest=sha256%3A${lab.big}`),
      action: { kind: 'reset-request', afterBytes: 300_000, forward: true },
    });
    const whole = at(proxy.host, 'recovery/kept-whole:1');
    expect(await pushImage(client(), [whole], lab.image)).toBe(lab.image.digest);
    expect(uploadStatus()).toHaveLength(2);
    await validateImage(client(), whole);
  });

  test('a blob stored before a 500 answer counts as uploaded', async () => {
    proxy = await lab.startProxy([
      {
        method: 'PUT',
        path: new RegExp(`digest=sha256%3A${lab.big}`),
        times: Number.POSITIVE_INFINITY,
        action: { kind: 'replace-answer', status: 500 },
      },
    ]);
    const ref = at(proxy.host, 'recovery/blob-500:1');
    expect(await pushImage(client(), [ref], lab.image)).toBe(lab.image.digest);
    expect(count(proxy, 'PUT', new RegExp(lab.big))).toBe(1);
    await validateImage(client(), ref);
  });

  test('a manifest PUT answered 500 after the registry stored it is checked with a HEAD, not reported', async () => {
    proxy = await lab.startProxy([
      {
        method: 'PUT',
        path: /\/manifests\//,
        times: Number.POSITIVE_INFINITY,
        action: { kind: 'replace-answer', status: 500 },
      },
    ]);
    const ref = at(proxy.host, 'recovery/manifest-500:1');
    expect(await pushImage(client(), [ref], lab.image)).toBe(lab.image.digest);
    expect(count(proxy, 'HEAD', /\/manifests\/1$/)).toBe(1);
    expect(warnings.join('\n')).toMatch(/→ 500.*holds the manifest/);
    await validateImage(client(), ref);
  });

  test('a manifest PUT that fails and stored nothing is still reported', async () => {
    proxy = await lab.startProxy([
      {
        method: 'PUT',
        path: /\/manifests\//,
        times: Number.POSITIVE_INFINITY,
        action: { kind: 'status', status: 500 },
      },
    ]);
    const e = await pushImage(client(), [at(proxy.host, 'recovery/manifest-down:1')], lab.image).catch(
      (x: unknown) => x,
    );
    expect((e as Error).message).toMatch(/push manifest tag 1 .*→ 500; gave up after 4 attempts/);
  });

  test('a stalled manifest, config or layer body is cut off and fetched again', async () => {
    await pushImage(client(), [at(lab.reg.host, 'recovery/stall:1')], lab.image);
    proxy = await lab.startProxy([
      { method: 'GET', path: /\/manifests\//, action: { kind: 'stall-body', afterBytes: 10 } },
      {
        method: 'GET',
        path: new RegExp(lab.image.configBlob.digest),
        action: { kind: 'stall-body', afterBytes: 10 },
      },
      {
        method: 'GET',
        path: new RegExp(`/blobs/sha256:${lab.big}`),
        action: { kind: 'stall-body', afterBytes: 200_000 },
      },
    ]);
    const c = client({ bodyTimeoutMs: 300 });
    const pulled = await pullImage(c, at(proxy.host, 'recovery/stall:1'));
    expect(pulled.digest).toBe(lab.image.digest);
    let n = 0;
    for await (const chunk of pulled.layers[0]!.open()) n += (chunk as Buffer).length;
    expect(n).toBe(lab.image.layers[0]!.size);
    expect(proxy.requests.filter((r) => r.fault === 'stall-body')).toHaveLength(3);
  });
});
