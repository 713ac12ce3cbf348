/**
 * Authorization for one registry: anonymous, Basic, or Bearer tokens from
 * the realm of the `WWW-Authenticate` challenge (GET with Basic credentials,
 * or the OAuth2 refresh-token POST for identity tokens). Tokens are cached per
 * scope set until shortly before they expire and dropped on a 401. Every
 * password and token is registered with the Logger for masking.
 */
import { setting } from '../hints.js';
import type { Logger } from '../log.js';
import type { Challenge } from './challenge.js';
import type { Credential, CredentialProvider } from './credentials.js';
import { parseErrorCodes, RegistryError } from './errors.js';
import { isRetryableStatus, parseRetryAfter, type RetryPolicy, withRetry } from './retry.js';

/** A minimal HTTP exchange for the token endpoint (the transport's dispatcher, no auth). */
export type TokenHttp = (
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;

/** `repository:<name>:<actions>` */
export function repositoryScope(repository: string, actions: 'pull' | 'push' | 'pull,push' | '*'): string {
  return `repository:${repository}:${actions}`;
}

interface CachedToken {
  token: string;
  /** ms since epoch after which the token is not used any more. */
  refreshAt: number;
}

export interface AuthHeader {
  /** The Authorization header value; undefined = anonymous. */
  value: string | undefined;
  /** True when it was just obtained (a 401 with it is final, not a stale token). */
  fresh: boolean;
}

const DEFAULT_TOKEN_LIFETIME_S = 60;
const CLIENT_ID = 'kiln';

export class RegistryAuth {
  private challenge: Challenge | undefined;
  private credential: Promise<Credential | undefined> | undefined;
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly registry: string,
    private readonly credentials: CredentialProvider,
    private readonly http: TokenHttp,
    private readonly logger: Logger,
    private readonly policy: RetryPolicy,
    /** Refuse to send credentials to a plain-HTTP realm when the registry is HTTPS. */
    private readonly registryIsHttps: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  get scheme(): string | undefined {
    return this.challenge?.scheme;
  }

  /** Records the challenge of a ping or a 401 (a newer one replaces the older). */
  setChallenge(challenge: Challenge | undefined): void {
    if (!challenge) return;
    const prev = this.challenge;
    this.challenge = challenge;
    if (prev && (prev.params.realm !== challenge.params.realm || prev.scheme !== challenge.scheme)) {
      this.tokens.clear();
    }
  }

  private getCredential(): Promise<Credential | undefined> {
    this.credential ??= this.credentials(this.registry).then((c) => {
      if (c?.kind === 'basic') {
        this.logger.secret(c.password);
        this.logger.secret(Buffer.from(`${c.username}:${c.password}`).toString('base64'));
      } else if (c) {
        this.logger.secret(c.token);
      }
      return c;
    });
    return this.credential;
  }

  /** The Authorization header for a request needing `scopes`. */
  async header(scopes: string[]): Promise<AuthHeader> {
    const ch = this.challenge;
    if (!ch) return { value: undefined, fresh: false };
    if (ch.scheme === 'basic') {
      const c = await this.getCredential();
      if (c?.kind !== 'basic') return { value: undefined, fresh: true };
      return { value: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`, fresh: true };
    }
    if (ch.scheme !== 'bearer') return { value: undefined, fresh: true };
    const c = await this.getCredential();
    if (c?.kind === 'registry-token') return { value: `Bearer ${c.token}`, fresh: true };

    const all = [...new Set([...scopes, ...(ch.params.scope ? ch.params.scope.split(' ') : [])])].sort();
    const key = `${ch.params.realm}|${ch.params.service ?? ''}|${all.join(' ')}`;
    const cached = this.tokens.get(key);
    if (cached) {
      const t = await cached.catch(() => undefined);
      if (t && t.refreshAt > this.now()) return { value: `Bearer ${t.token}`, fresh: false };
      if (this.tokens.get(key) === cached) this.tokens.delete(key);
    }
    let pending = this.tokens.get(key);
    let fresh = false;
    if (!pending) {
      pending = this.fetchToken(ch, all, c);
      this.tokens.set(key, pending);
      pending.catch(() => this.tokens.delete(key));
      fresh = true;
    }
    const t = await pending;
    return { value: `Bearer ${t.token}`, fresh };
  }

  /** Forgets the tokens for these scopes (after a 401). */
  invalidate(scopes: string[]): void {
    const ch = this.challenge;
    if (!ch) return;
    const set = new Set(scopes);
    for (const key of [...this.tokens.keys()]) {
      const keyScopes = key.slice(key.lastIndexOf('|') + 1).split(' ');
      if (scopes.length === 0 || keyScopes.some((s) => set.has(s))) this.tokens.delete(key);
    }
  }

  private async fetchToken(ch: Challenge, scopes: string[], c: Credential | undefined): Promise<CachedToken> {
    const realm = ch.params.realm;
    const base = { registry: this.registry, operation: 'get a registry token' };
    if (!realm) {
      throw new RegistryError({
        ...base,
        failure: 'invalid-response',
        detail: 'the Bearer challenge has no realm',
      });
    }
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError({ ...base, failure: 'invalid-response', detail: `bad token realm "${realm}"` });
    }
    if (c && this.registryIsHttps && url.protocol !== 'https:') {
      throw new RegistryError({
        ...base,
        failure: 'credentials',
        url: realm,
        detail: `the registry asks for credentials over plain HTTP (${url.origin})`,
        hint: 'Refusing to send a password unencrypted; check the registry configuration',
      });
    }
    const service = ch.params.service;
    let init: Parameters<TokenHttp>[1];
    if (c?.kind === 'identity-token') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: c.token,
        client_id: CLIENT_ID,
      });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      };
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (c?.kind === 'basic') {
        headers.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
      }
      init = { method: 'GET', headers };
    }
    const target = url.toString();
    const res = await withRetry(this.policy, async () => {
      let r: Awaited<ReturnType<TokenHttp>>;
      try {
        r = await this.http(target, init);
      } catch (e) {
        throw new RegistryError({
          ...base,
          failure: 'network',
          method: init.method,
          url: target,
          detail: (e as Error).message,
          retryable: true,
          cause: e,
        });
      }
      if (r.status !== 200) {
        const retryAfter = r.headers['retry-after'];
        throw new RegistryError({
          ...base,
          failure: 'status',
          method: init.method,
          url: target,
          status: r.status,
          codes: parseErrorCodes(r.text),
          retryable: isRetryableStatus(r.status),
          retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
          hint:
            r.status === 401 || r.status === 403
              ? `The token server rejected the credentials for ${this.registry}: check ${setting('credentials')}`
              : undefined,
        });
      }
      return r;
    });
    let body: { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch {
      throw new RegistryError({
        ...base,
        failure: 'invalid-response',
        url: target,
        detail: 'the token answer is not JSON',
      });
    }
    const token = body.token || body.access_token;
    if (!token) {
      throw new RegistryError({
        ...base,
        failure: 'invalid-response',
        url: target,
        detail: 'the token answer holds no token',
      });
    }
    this.logger.secret(token);
    const lifetime =
      (body.expires_in && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFETIME_S) * 1000;
    // Stop using a token a little before it expires (10% of its lifetime, at most 30 s).
    return { token, refreshAt: this.now() + lifetime - Math.min(30_000, lifetime / 10) };
  }
}
