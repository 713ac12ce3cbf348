import { describe, expect, test } from '@jest/globals';
import { RegistryError } from '../../src/registry/errors.js';
import {
  backoffDelay,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  retryPolicy,
  withRetry,
} from '../../src/registry/retry.js';

const err = (retryable: boolean, retryAfterMs?: number) =>
  new RegistryError({
    registry: 'r',
    operation: 'op',
    failure: 'status',
    status: 503,
    retryable,
    retryAfterMs,
  });

describe('retry policy', () => {
  test('retryable statuses and network errors', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) expect(isRetryableStatus(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 501]) expect(isRetryableStatus(s)).toBe(false);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(isRetryableNetworkError(new Error('fetch failed', { cause: reset }))).toBe(true);
    expect(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe(
      true,
    );
    expect(
      isRetryableNetworkError(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })),
    ).toBe(false);
  });

  test('Retry-After as seconds or HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  test('exponential backoff with jitter, capped; Retry-After wins (capped)', () => {
    const p = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 });
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(p, a))).toEqual([100, 200, 400, 800, 1000]);
    const low = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    expect(backoffDelay(low, 3)).toBe(200);
    expect(backoffDelay(p, 1, 5000)).toBe(1000);
    expect(backoffDelay(p, 1, 300)).toBe(300);
  });

  test('withRetry: retries retryable errors up to the bound and says it gave up', async () => {
    const delays: number[] = [];
    const p = retryPolicy({
      attempts: 3,
      baseDelayMs: 10,
      sleep: async (ms) => void delays.push(ms),
      random: () => 0,
    });
    let calls = 0;
    const e = await withRetry(p, async () => {
      calls++;
      throw err(true, calls === 1 ? 2000 : undefined);
    }).catch((x: unknown) => x);
    expect(calls).toBe(3);
    expect(delays).toEqual([2000, 10]);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).message).toMatch(/gave up after 3 attempts/);
    expect((e as RegistryError).retryable).toBe(false);
  });

  test('withRetry: non-retryable errors and other errors are thrown at once; success returns', async () => {
    const p = retryPolicy({ attempts: 5, sleep: async () => {} });
    let calls = 0;
    await expect(
      withRetry(p, async () => {
        calls++;
        throw err(false);
      }),
    ).rejects.toThrow(RegistryError);
    expect(calls).toBe(1);
    await expect(withRetry(p, async () => Promise.reject(new TypeError('bug')))).rejects.toThrow(TypeError);
    let n = 0;
    await expect(
      withRetry(p, async () => {
        if (++n < 3) throw err(true);
        return 'ok';
      }),
    ).resolves.toBe('ok');
  });
});
