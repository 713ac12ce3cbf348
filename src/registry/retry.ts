/**
 * Retry policy: a bounded number of attempts with exponential backoff and
 * full jitter on 408/429/5xx, connection resets and timeouts; Retry-After is
 * honoured (capped). Sleeping and randomness are passed in so tests can
 * observe the delays without timing anything.
 */
import { RegistryError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in total (1 = no retry). BuildOptions.pushRetry. */
  attempts: number;
  /** First backoff step. */
  baseDelayMs: number;
  /** Cap of one backoff step (and of Retry-After). */
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** [0, 1); Math.random by default. */
  random: () => number;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function retryPolicy(p: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    attempts: Math.max(1, p.attempts ?? 8),
    baseDelayMs: p.baseDelayMs ?? 500,
    maxDelayMs: p.maxDelayMs ?? 30_000,
    sleep: p.sleep ?? defaultSleep,
    random: p.random ?? Math.random,
  };
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** A network-level error worth retrying (walks the cause chain). */
export function isRetryableNetworkError(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** Retry-After as seconds or an HTTP date → ms (undefined when absent or unparseable). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Full jitter", but never less than half the step so retries do not bunch at zero.
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

/**
 * Worth another try of an upload step after a look at where the upload
 * stands: a retryable failure, or 416 (a Content-Range the registry did not
 * expect: its own offset says where to go on).
 */
export function isRecoverable(e: RegistryError): boolean {
  return e.retryable || e.status === 416;
}

export interface RetryHooks {
  /** Called before sleeping; for logging. */
  onRetry?: (error: RegistryError, attempt: number, delayMs: number) => void;
}

/**
 * Runs fn until it succeeds, a non-retryable error happens, or the policy's
 * attempts are used up. Only RegistryErrors with `retryable` are retried.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof RegistryError) || !e.retryable) throw e;
      if (attempt >= policy.attempts) {
        if (attempt === 1) throw e;
        const detail = [e.detail, `gave up after ${attempt} attempts`].filter(Boolean).join('; ');
        throw e.with({ detail, retryable: false });
      }
      const delay = backoffDelay(policy, attempt, e.retryAfterMs);
      hooks.onRetry?.(e, attempt, delay);
      await policy.sleep(delay);
    }
  }
}
