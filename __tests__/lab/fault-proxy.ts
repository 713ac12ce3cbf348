/**
 * An in-process HTTP proxy in front of a real registry that injects faults,
 * scripted per test: error statuses (5xx, 429 with Retry-After), 401s,
 * connection resets while a request or response body is in flight, corrupt
 * or truncated response bodies, stalled bodies, answers replaced after the
 * registry acted on the request, delays and redirects; a rule may apply at
 * random (a seeded generator makes a run repeatable). It records every
 * request (and whether it carried an Authorization header). Optionally it
 * demands Basic credentials itself, to put an open registry behind Basic auth.
 */

import { createHash } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultAction =
  /** Answer with this status (the request body is drained, not forwarded). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** 401 with the last challenge seen from upstream (or a Basic one). */
  | { kind: 'unauthorized' }
  /**
   * Read `afterBytes` of the request body (default: half its Content-Length), then reset the connection.
   * With `forward`, those bytes reach the registry first (a partial upload it may have kept).
   */
  | { kind: 'reset-request'; afterBytes?: number; forward?: boolean }
  /** Forward, send `afterBytes` of the response body (default: half), then reset the connection. */
  | { kind: 'reset-response'; afterBytes?: number }
  /** Forward, flipping one byte in the middle of the response body (length unchanged). */
  | { kind: 'corrupt-body' }
  /** Forward, but send only `keepBytes` (default: half) with a matching Content-Length: a clean, short body. */
  | { kind: 'truncate-body'; keepBytes?: number }
  /** Forward, send `afterBytes` of the response body (default: half), then send nothing more, keeping the connection open. */
  | { kind: 'stall-body'; afterBytes?: number }
  /** Forward (the registry acts on the request), then answer this status instead of the registry's answer. */
  | { kind: 'replace-answer'; status: number; body?: string }
  /** Wait, then forward. */
  | { kind: 'delay'; ms: number }
  /** 307 to the same path on another base URL (storage redirects). */
  | { kind: 'redirect'; to: string };

export interface FaultRule {
  method?: string;
  /** Tested against the path with query. */
  path?: RegExp;
  /** Let this many matching requests through first. */
  skip?: number;
  /** Apply to this many matching requests after the skipped ones (default 1; Infinity = always). */
  times?: number;
  /** Apply to a matching request with this probability (the proxy's `random`); otherwise try the next rule. */
  chance?: number;
  action: FaultAction;
}

export interface ProxyRecord {
  method: string;
  path: string;
  /** Status sent to the client (0 when the connection was reset). */
  status: number;
  authorization: boolean;
  /** The Range header, when the client asked for part of a body. */
  range?: string;
  fault?: FaultAction['kind'];
}

export interface FaultProxy {
  /** `127.0.0.1:PORT` — use as the registry host. */
  host: string;
  url: string;
  requests: ProxyRecord[];
  /** Adds a rule (rules are tried in order; the first that applies wins). */
  add(rule: FaultRule): void;
  clear(): void;
  stop(): Promise<void>;
}

interface LiveRule extends FaultRule {
  seen: number;
  applied: number;
}

export interface FaultProxyOptions {
  /** Demand these Basic credentials (401 + `WWW-Authenticate: Basic` without them). */
  requireBasic?: { username: string; password: string };
  /** [0, 1) for rules with a `chance` (default Math.random; pass a seeded one for a repeatable run). */
  random?: () => number;
}

/** A seeded generator for repeatable random faults: sha256 of the seed and a counter. */
export function seededRandom(seed: number): () => number {
  let n = 0;
  return () => createHash('sha256').update(`${seed}:${n++}`).digest().readUInt32BE(0) / 2 ** 32;
}

export async function startFaultProxy(
  target: string,
  rules: FaultRule[] = [],
  opts: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const live: LiveRule[] = rules.map((r) => ({ ...r, seen: 0, applied: 0 }));
  const requests: ProxyRecord[] = [];
  const sockets = new Set<Socket>();
  const random = opts.random ?? Math.random;
  let lastChallenge: string | undefined;

  const pick = (req: IncomingMessage): FaultAction | undefined => {
    for (const r of live) {
      if (r.method && r.method !== req.method) continue;
      if (r.path && !r.path.test(req.url ?? '')) continue;
      r.seen++;
      if (r.seen <= (r.skip ?? 0)) continue;
      if (r.applied >= (r.times ?? 1)) continue;
      if (r.chance !== undefined && random() >= r.chance) continue;
      r.applied++;
      return r.action;
    }
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const record: ProxyRecord = {
      method: req.method ?? '',
      path: req.url ?? '',
      status: 0,
      authorization: Boolean(req.headers.authorization),
      ...(req.headers.range ? { range: req.headers.range } : {}),
    };
    requests.push(record);
    const reply = (status: number, headers: Record<string, string> = {}, body = '') => {
      req.resume();
      record.status = status;
      res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };
    if (opts.requireBasic) {
      const want = `Basic ${Buffer.from(`${opts.requireBasic.username}:${opts.requireBasic.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        return reply(
          401,
          { 'www-authenticate': 'Basic realm="kiln-fault-proxy"', 'content-type': 'application/json' },
          JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
        );
      }
    }
    const action = pick(req);
    record.fault = action?.kind;
    switch (action?.kind) {
      case 'status':
        return reply(action.status, action.headers, action.body ?? '');
      case 'unauthorized':
        return reply(
          401,
          {
            'www-authenticate': lastChallenge ?? 'Basic realm="kiln-fault-proxy"',
            'content-type': 'application/json',
          },
          JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'token expired (injected)' }] }),
        );
      case 'redirect':
        return reply(307, { location: `${action.to}${req.url}` });
      case 'reset-request': {
        const limit = action.afterBytes ?? Math.floor(Number(req.headers['content-length'] ?? 0) / 2);
        const up = action.forward ? upstreamRequest(req, (ures) => ures.resume()) : undefined;
        up?.on('error', () => {});
        let n = 0;
        const cut = () => {
          req.socket.destroy();
          // The registry got `limit` bytes; give it a moment to keep them before the upload breaks off.
          if (up) up.end(() => setTimeout(() => up.destroy(), 50));
        };
        if (limit <= 0) return cut();
        req.on('data', (c: Buffer) => {
          const part = c.subarray(0, Math.max(0, limit - n));
          n += c.length;
          if (up && part.length) up.write(part);
          if (n >= limit) cut();
        });
        req.on('end', cut);
        return;
      }
      case 'delay':
        setTimeout(() => forward(req, res, record, undefined), action.ms);
        return;
      default:
        return forward(req, res, record, action);
    }
  };

  /** The request sent on to the registry (its body is the caller's to write). */
  const upstreamRequest = (req: IncomingMessage, onResponse: (ures: IncomingMessage) => void) =>
    httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      onResponse,
    );

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    record: ProxyRecord,
    action: FaultAction | undefined,
  ) => {
    const up = upstreamRequest(req, (ures) => {
      const challenge = ures.headers['www-authenticate'];
      if (challenge) lastChallenge = Array.isArray(challenge) ? challenge[0] : challenge;
      if (action?.kind === 'replace-answer') {
        ures.resume();
        const body = action.body ?? '';
        record.status = action.status;
        res.writeHead(action.status, { 'content-length': String(Buffer.byteLength(body)) });
        res.end(body);
        return;
      }
      const headers = { ...ures.headers };
      const length = Number(ures.headers['content-length'] ?? Number.NaN);
      record.status = ures.statusCode ?? 0;
      const body = req.method !== 'HEAD' && Number.isFinite(length) && length > 0;
      if (!body || !action) {
        res.writeHead(ures.statusCode ?? 502, headers);
        ures.pipe(res);
        return;
      }
      const half = Math.floor(length / 2);
      let keep = length;
      if (action.kind === 'truncate-body') {
        keep = action.keepBytes ?? half;
        headers['content-length'] = String(keep);
      }
      if (action.kind === 'reset-response' || action.kind === 'stall-body') keep = action.afterBytes ?? half;
      res.writeHead(ures.statusCode ?? 502, headers);
      let sent = 0;
      ures.on('data', (chunk: Buffer) => {
        let c = chunk;
        if (action.kind === 'corrupt-body' && sent <= half && half < sent + c.length) {
          c = Buffer.from(c);
          c[half - sent] = c[half - sent]! ^ 0xff;
        }
        if (sent + c.length > keep) c = c.subarray(0, Math.max(0, keep - sent));
        if (c.length) res.write(c);
        sent += c.length;
        if (sent >= keep && keep < length) {
          ures.destroy();
          if (action.kind === 'reset-response') {
            record.status = 0;
            res.socket?.destroy();
          } else if (action.kind !== 'stall-body') {
            res.end();
          }
          // stall-body: nothing more is sent; the client's timeout (or stop()) closes the connection.
        }
      });
      ures.on('end', () => res.end());
    });
    up.on('error', () => {
      if (!res.headersSent) {
        record.status = 502;
        res.writeHead(502);
      }
      res.end();
    });
    req.pipe(up);
  };

  const server: Server = createServer(handle);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    add(rule) {
      live.push({ ...rule, seen: 0, applied: 0 });
    },
    clear() {
      live.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
