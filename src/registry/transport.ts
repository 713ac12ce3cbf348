/**
 * The HTTP layer for one registry host: undici Agent with keep-alive and TLS
 * verification (custom CA, opt-out per host); the scheme found by a `/v2/`
 * ping (HTTPS; plain HTTP for insecure hosts; loopback tries HTTPS then HTTP
 * like Docker); authorization from the challenge; a 401 refreshes the token
 * once; 408/429/5xx and network errors retried with backoff (Retry-After
 * honoured), the ping included; a response whose headers or body stall is
 * cut off well before five minutes (60 s for headers, 120 s for the answer
 * to a blob's closing PUT, 30 s without a byte of body); redirects followed by hand so the Authorization header never
 * reaches another origin.
 */
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher, request } from 'undici';
import { setting } from '../hints.js';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import { RegistryAuth, type TokenHttp } from './auth.js';
import { parseChallenges, pickChallenge } from './challenge.js';
import type { CredentialProvider } from './credentials.js';
import { displayUrl, parseErrorCodes, permissionHint, RegistryError } from './errors.js';
import {
  backoffDelay,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
} from './retry.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A request body. Buffers, strings and factories can be sent again (after a
 * 401 or a retryable failure); a stream or iterable given directly cannot.
 */
export type RequestBody =
  | Buffer
  | string
  | (() => Readable | AsyncIterable<Uint8Array>)
  | Readable
  | AsyncIterable<Uint8Array>;

export interface SendOptions {
  method: HttpMethod;
  /** A path on the registry (`/v2/…`) or an absolute URL (an upload Location). */
  path: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Token scopes this request needs. */
  scopes: string[];
  repository?: string;
  /** For error messages: "pull manifest", "upload blob sha256:…". */
  operation: string;
  /** Statuses that are success; anything else becomes a RegistryError. */
  expect: number[];
  /** Retry 408/429/5xx and network errors here (default true). False: throw retryable errors to the caller. */
  retry?: boolean;
  /** Follow 3xx redirects (blob downloads). */
  redirect?: boolean;
  /** The registry may think long before answering (it verifies and stores a whole blob): twice the headers timeout. */
  slowAnswer?: boolean;
  /** A hint for an unexpected status, from the response text. */
  hint?: (text: string) => string | undefined;
}

export interface RegistryResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body stream (undici's; `dump()` discards it); consume or dump it. */
  body: Dispatcher.ResponseData['body'];
  /** The URL that answered (after redirects). */
  url: string;
}

export interface TransportOptions {
  /** API host (`registry-1.docker.io` for docker.io). */
  host: string;
  /** Registry name as in references, for messages and credentials (`docker.io`). */
  registry: string;
  /** Plain HTTP only (--insecure-registry). */
  insecure: boolean;
  /** Try HTTPS, then fall back to HTTP (loopback registries, like Docker). */
  httpFallback: boolean;
  skipTlsVerify: boolean;
  /** Extra CA certificates (PEM), trusted besides the system roots. */
  ca?: string[];
  credentials: CredentialProvider;
  logger: Logger;
  policy: RetryPolicy;
  userAgent?: string;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export function header(res: { headers: RegistryResponse['headers'] }, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) || h === '::1';
}

/** Waiting for response headers (counted from the end of the request body). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
/** Waiting for the next byte of a response body. */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

const MAX_REDIRECTS = 5;
const ERROR_BODY_LIMIT = 64 * 1024;

async function readLimited(body: Readable, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of body) {
      const b = chunk as Buffer;
      if (n < limit) parts.push(b.subarray(0, limit - n));
      n += b.length;
    }
  } catch {
    // a broken error body still leaves the status to report
  }
  return Buffer.concat(parts).toString('utf8');
}

function isReplayable(body: RequestBody | undefined): boolean {
  return (
    body === undefined || typeof body === 'string' || Buffer.isBuffer(body) || typeof body === 'function'
  );
}

function materialise(body: RequestBody | undefined): Buffer | string | Readable | undefined {
  const b = typeof body === 'function' ? body() : body;
  if (b === undefined || typeof b === 'string' || Buffer.isBuffer(b) || b instanceof Readable) return b;
  return Readable.from(b, { objectMode: false });
}

export class RegistryTransport {
  readonly auth: RegistryAuth;
  private readonly agent: Agent;
  private base: Promise<string> | undefined;
  private readonly userAgent: string;
  private readonly headersTimeout: number;

  constructor(private readonly opts: TransportOptions) {
    this.headersTimeout = opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: 16,
      headersTimeout: this.headersTimeout,
      bodyTimeout: opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
      connect: {
        timeout: opts.connectTimeoutMs ?? 30_000,
        rejectUnauthorized: !opts.skipTlsVerify,
        ...(opts.ca?.length ? { ca: [...rootCertificates, ...opts.ca] } : {}),
      },
    });
    this.userAgent = opts.userAgent ?? `kiln/${VERSION}`;
    const tokenHttp: TokenHttp = async (url, init) => {
      const res = await request(url, {
        method: init.method,
        headers: { 'user-agent': this.userAgent, ...init.headers },
        body: init.body,
        dispatcher: this.agent,
      });
      return { status: res.statusCode, headers: res.headers, text: await readLimited(res.body, 1 << 20) };
    };
    this.auth = new RegistryAuth(
      opts.registry,
      opts.credentials,
      tokenHttp,
      opts.logger,
      opts.policy,
      !opts.insecure && !opts.httpFallback,
    );
  }

  get registry(): string {
    return this.opts.registry;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** `https://host` or `http://host`, found by pinging `/v2/` once. */
  baseUrl(): Promise<string> {
    if (!this.base) {
      this.base = this.ping();
      this.base.catch(() => {
        this.base = undefined;
      });
    }
    return this.base;
  }

  private async ping(): Promise<string> {
    const { host, insecure, httpFallback } = this.opts;
    if (insecure) return this.pingScheme('http');
    if (!httpFallback) return this.pingScheme('https');
    try {
      return await this.pingScheme('https', 1);
    } catch (httpsError) {
      if (!(httpsError instanceof RegistryError)) throw httpsError;
      // An HTTPS registry that answered "try again" is retried over HTTPS.
      if (httpsError.retryable && httpsError.failure === 'status') return this.pingScheme('https');
      if (httpsError.failure !== 'network') throw httpsError;
      // An HTTPS server with an untrusted certificate is not a plain-HTTP server.
      if (isCertificateError(httpsError.detail)) throw httpsError;
      this.opts.logger.debug(`${host}: HTTPS failed (${httpsError.detail}); trying plain HTTP`);
      try {
        return await this.pingScheme('http');
      } catch (e) {
        if (e instanceof RegistryError && e.failure === 'network') {
          throw e.with({ detail: `${e.detail}; over HTTPS: ${httpsError.detail}` });
        }
        throw e;
      }
    }
  }

  private async pingScheme(scheme: 'http' | 'https', attempts = this.opts.policy.attempts): Promise<string> {
    const base = `${scheme}://${this.opts.host}`;
    // 401 carries the challenge; 404: some registries do not implement /v2/ itself, requests still work.
    const res = await this.exchange(
      {
        method: 'GET',
        path: `${base}/v2/`,
        scopes: [],
        operation: 'ping',
        expect: [200, 401, 404],
        hint: (text) =>
          scheme === 'http' && /HTTPS server/i.test(text)
            ? `${this.opts.host} speaks HTTPS: drop ${setting('insecure-registry', this.opts.registry)} (use ${setting('skip-tls-verify-registry', this.opts.registry)} for an untrusted certificate)`
            : undefined,
      },
      undefined,
      attempts,
    );
    await readLimited(res.body, ERROR_BODY_LIMIT);
    if (res.status === 401) {
      const ch = pickChallenge(parseChallenges(res.headers['www-authenticate']));
      this.auth.setChallenge(ch);
    }
    return base;
  }

  /** Sends a request with auth, retries and redirects; throws RegistryError unless the status is expected. */
  async send(req: SendOptions): Promise<RegistryResponse> {
    const base = await this.baseUrl();
    return this.exchange(req, base, req.retry === false ? 1 : this.opts.policy.attempts);
  }

  private async exchange(
    req: SendOptions,
    base: string | undefined,
    attempts: number,
  ): Promise<RegistryResponse> {
    const { registry, logger, policy } = this.opts;
    let url = /^https?:\/\//.test(req.path) ? req.path : `${base}${req.path}`;
    const origin = new URL(base ?? url).origin;
    let method = req.method;
    let body = req.body;
    let authRetried = false;
    let redirects = 0;
    const fail = (init: Partial<ConstructorParameters<typeof RegistryError>[0]>) =>
      new RegistryError({
        registry,
        repository: req.repository,
        operation: req.operation,
        failure: 'status',
        method,
        url,
        ...init,
      });

    for (let attempt = 1; ; ) {
      const sameOrigin = new URL(url).origin === origin;
      const auth =
        base && sameOrigin ? await this.auth.header(req.scopes) : { value: undefined, fresh: true };
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers };
      if (auth.value) headers.authorization = auth.value;
      if (!sameOrigin) {
        for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
      }
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, {
          method,
          headers,
          body: materialise(body),
          dispatcher: this.agent,
          ...(req.slowAnswer ? { headersTimeout: 2 * this.headersTimeout } : {}),
        });
      } catch (e) {
        const retryable = isRetryableNetworkError(e) && isReplayable(body);
        const err = fail({
          failure: 'network',
          detail: networkDetail(e),
          retryable: isRetryableNetworkError(e),
          cause: e,
        });
        logger.debug(`${method} ${displayUrl(url)} failed: ${err.detail}`);
        if (retryable && attempt < attempts) {
          const delay = backoffDelay(policy, attempt);
          logger.warn(
            `${req.operation}: ${err.detail}; retrying in ${delay} ms (attempt ${attempt + 1}/${attempts})`,
          );
          await policy.sleep(delay);
          attempt++;
          continue;
        }
        throw attempt > 1
          ? err.with({ detail: `${err.detail}; gave up after ${attempt} attempts`, retryable: false })
          : err;
      }
      const status = res.statusCode;
      logger.debug(`${method} ${displayUrl(url)} → ${status}`);

      if (status === 401 && base && sameOrigin) {
        const text = await readLimited(res.body, ERROR_BODY_LIMIT);
        const challenge = pickChallenge(parseChallenges(res.headers['www-authenticate']));
        this.auth.setChallenge(challenge);
        if (!auth.fresh && !authRetried) {
          authRetried = true;
          this.auth.invalidate(req.scopes);
          if (isReplayable(body)) continue;
          throw fail({ status, codes: parseErrorCodes(text), retryable: true, detail: 'token refreshed' });
        }
        const insufficient = challenge?.params.error === 'insufficient_scope';
        throw fail({
          status,
          codes: parseErrorCodes(text),
          hint: insufficient ? permissionHint(registry, challenge?.params.scope) : undefined,
        });
      }

      if (req.redirect && [301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        await res.body.dump();
        if (++redirects > MAX_REDIRECTS) throw fail({ status, detail: 'too many redirects' });
        url = new URL(String(header(res, 'location')), url).toString();
        if (status === 303) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }

      if (req.expect.length && !req.expect.includes(status)) {
        const text = method === 'HEAD' ? '' : await readLimited(res.body, ERROR_BODY_LIMIT);
        if (method === 'HEAD') await res.body.dump();
        const retryAfterMs = parseRetryAfter(header(res, 'retry-after'));
        const retryable = isRetryableStatus(status);
        const err = fail({
          status,
          codes: parseErrorCodes(text),
          retryable,
          retryAfterMs,
          hint: req.hint?.(text),
        });
        if (retryable && isReplayable(body) && attempt < attempts) {
          const delay = backoffDelay(policy, attempt, retryAfterMs);
          logger.warn(
            `${req.operation}: ${method} ${displayUrl(url)} → ${status}; retrying in ${delay} ms (attempt ${attempt + 1}/${attempts})`,
          );
          await policy.sleep(delay);
          attempt++;
          continue;
        }
        throw attempt > 1 ? err.with({ detail: `gave up after ${attempt} attempts`, retryable: false }) : err;
      }
      return { status, headers: res.headers, body: res.body, url };
    }
  }
}

export function isCertificateError(detail: string | undefined): boolean {
  return /CERT|certificate|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i.test(detail ?? '');
}

function networkDetail(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    const code = (cur as NodeJS.ErrnoException).code;
    const msg = code && !cur.message.includes(code) ? `${cur.message} (${code})` : cur.message;
    if (!parts.includes(msg)) parts.push(msg);
    cur = (cur as { cause?: unknown }).cause;
  }
  return (parts.join(': ') || String(e)).replace(/\s*\n\s*/g, ' ').trim();
}

/** Drains a stream into a Buffer, failing past `limit` bytes. */
export async function readBody(body: Readable, limit: number, what: () => RegistryError): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    n += b.length;
    if (n > limit) {
      body.destroy();
      throw what();
    }
    parts.push(b);
  }
  return Buffer.concat(parts);
}
