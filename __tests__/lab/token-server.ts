/**
 * A token server emulating ghcr.io's `/token?scope=…&service=…` endpoint for
 * a `docker-registry` configured with `auth: token`. Basic credentials in,
 * an RS256 JWT out (header `x5c` = the throwaway signing certificate, which
 * is also the registry's rootcertbundle). Wrong password → 401. Also answers
 * the OAuth2 POST flow (grant_type=password / refresh_token) so identity
 * tokens from docker config.json can be exercised.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface TokenUser {
  password: string;
  /**
   * Repository name (exact, or a prefix ending in `*`) → allowed actions.
   * Default: every repository, pull and push.
   */
  access?: Record<string, string[]>;
}

export interface TokenServerOptions {
  /** Directory for the key and certificate. */
  dir: string;
  service: string;
  issuer: string;
  users: Record<string, TokenUser>;
  /** Actions anonymous clients get per repository (default: none). */
  anonymous?: Record<string, string[]>;
  /** JWT lifetime in seconds (exp - iat); default 300. */
  lifetimeSeconds?: number;
  /** expires_in reported to the client; default: the real lifetime. */
  reportedExpiresIn?: number;
}

export interface TokenRequestRecord {
  method: string;
  account: string | undefined;
  scopes: string[];
  status: number;
}

export interface TokenServer {
  /** `http://127.0.0.1:PORT/token` */
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
  /** Every request the server answered, oldest first. */
  requests: TokenRequestRecord[];
  /** Every token issued, oldest first (to check that none is ever printed). */
  tokens: string[];
  /** Change lifetime / reported expiry for the tokens issued from now on. */
  setLifetime(lifetimeSeconds: number, reportedExpiresIn?: number): void;
  /** Refresh tokens handed out by the OAuth2 password grant, by user. */
  refreshTokenFor(user: string): string;
  stop(): Promise<void>;
}

/**
 * Debian's distribution 2.8.2 accepts a token up to 60 s past its `exp`
 * (measured). `exp` is set that much earlier so a token stops working
 * `lifetimeSeconds` after it was issued.
 */
export const REGISTRY_EXP_LEEWAY_SECONDS = 60;

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function allowedActions(
  table: Record<string, string[]> | undefined,
  repo: string,
  defaultAll: boolean,
): string[] {
  if (!table) return defaultAll ? ['pull', 'push'] : [];
  const out = new Set<string>();
  for (const [pattern, actions] of Object.entries(table)) {
    const hit = pattern.endsWith('*') ? repo.startsWith(pattern.slice(0, -1)) : repo === pattern;
    if (hit) for (const a of actions) out.add(a);
  }
  return [...out];
}

/** `repository:name:pull,push` → access entry (unknown types are dropped). */
function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const last = scope.lastIndexOf(':');
  const first = scope.indexOf(':');
  if (first < 0 || last <= first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const keyPath = join(opts.dir, 'token.key');
  const certPath = join(opts.dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=kiln-test-token-signer',
    ],
    { stdio: 'ignore' },
  );
  const key = createPrivateKey(readFileSync(keyPath));
  const certDer = new X509Certificate(readFileSync(certPath)).raw;
  let lifetime = opts.lifetimeSeconds ?? 300;
  let reported = opts.reportedExpiresIn;
  const refreshTokens = new Map<string, string>();
  const requests: TokenRequestRecord[] = [];
  const tokens: string[] = [];

  const issue = (account: string | undefined, scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const user = account ? opts.users[account] : undefined;
    const access = [];
    for (const s of scopes) {
      const p = parseScope(s);
      if (p?.type !== 'repository') continue;
      const allowed = user
        ? allowedActions(user.access, p.name, true)
        : allowedActions(opts.anonymous ?? {}, p.name, false);
      const granted = p.actions.filter((a) => allowed.includes(a) || (a === '*' && allowed.includes('push')));
      if (granted.length) access.push({ type: p.type, name: p.name, actions: granted });
    }
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: opts.issuer,
      sub: account ?? '',
      aud: opts.service,
      exp: now + lifetime - REGISTRY_EXP_LEEWAY_SECONDS,
      nbf: now - 1,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
    tokens.push(token);
    return {
      token,
      access_token: token,
      expires_in: reported ?? lifetime,
      issued_at: new Date(now * 1000).toISOString(),
    };
  };

  const reply = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const unauthorized = (res: ServerResponse) =>
    reply(
      res,
      401,
      { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
      { 'www-authenticate': 'Basic realm="kiln-test-token"' },
    );

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => resolve(Buffer.concat(parts).toString()));
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const record: TokenRequestRecord = {
      method: req.method ?? '',
      account: undefined,
      scopes: [],
      status: 0,
    };
    requests.push(record);
    const done = (status: number) => {
      record.status = status;
    };
    if (url.pathname !== '/token') {
      done(404);
      return reply(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
    }
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      record.scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      if (form.get('service') !== opts.service) {
        done(400);
        return reply(res, 400, { error: 'invalid_request', error_description: 'wrong service' });
      }
      let account: string | undefined;
      if (form.get('grant_type') === 'password') {
        const u = form.get('username') ?? '';
        if (opts.users[u]?.password !== form.get('password')) {
          done(401);
          return reply(res, 401, { error: 'invalid_grant' });
        }
        account = u;
      } else if (form.get('grant_type') === 'refresh_token') {
        const rt = form.get('refresh_token') ?? '';
        account = [...refreshTokens].find(([, t]) => t === rt)?.[0];
        if (!account) {
          done(401);
          return reply(res, 401, { error: 'invalid_grant' });
        }
      } else {
        done(400);
        return reply(res, 400, { error: 'unsupported_grant_type' });
      }
      record.account = account;
      const t = issue(account, record.scopes);
      const body: Record<string, unknown> = { ...t, scope: record.scopes.join(' ') };
      delete body.token;
      if (form.get('access_type') === 'offline') body.refresh_token = refreshTokenFor(account);
      done(200);
      return reply(res, 200, body);
    }
    record.scopes = url.searchParams.getAll('scope');
    if (url.searchParams.get('service') !== opts.service) {
      done(400);
      return reply(res, 400, { errors: [{ code: 'BAD_REQUEST', message: 'unknown service' }] });
    }
    const authz = req.headers.authorization;
    let account: string | undefined;
    if (authz) {
      if (!authz.startsWith('Basic ')) {
        done(401);
        return unauthorized(res);
      }
      const decoded = Buffer.from(authz.slice(6), 'base64').toString();
      const colon = decoded.indexOf(':');
      const user = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (colon < 0 || opts.users[user]?.password !== password) {
        done(401);
        return unauthorized(res);
      }
      account = user;
    }
    record.account = account;
    done(200);
    return reply(res, 200, issue(account, record.scopes));
  };

  const refreshTokenFor = (user: string): string => {
    let t = refreshTokens.get(user);
    if (!t) {
      t = `refresh-${randomBytes(16).toString('hex')}`;
      refreshTokens.set(user, t);
    }
    return t;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service: opts.service,
    issuer: opts.issuer,
    certPath,
    requests,
    tokens,
    setLifetime(l, r) {
      lifetime = l;
      reported = r;
    },
    refreshTokenFor,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
