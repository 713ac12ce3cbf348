/**
 * Shared pieces of the cache e2e tests: a counting HTTP server (a RUN that
 * fetches from it proves it ran), a logger that keeps what it was told,
 * build contexts in a temp dir.
 */
import http from 'node:http';
import type { Logger } from '../../src/log.js';

export interface CountingServer {
  url: string;
  /** How often each path was fetched. */
  count(p: string): number;
  total(): number;
  stop(): Promise<void>;
}

export async function startCountingServer(): Promise<CountingServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0]!;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`fetched ${p}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    count: (p) => hits.get(p) ?? 0,
    total: () => [...hits.values()].reduce((a, b) => a + b, 0),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface CapturedLog {
  log: Logger;
  infos: string[];
  warnings: string[];
}

export function captureLog(): CapturedLog {
  const infos: string[] = [];
  const warnings: string[] = [];
  return {
    infos,
    warnings,
    log: {
      debug() {},
      info: (m) => infos.push(m),
      warn: (m) => warnings.push(m),
      error: (m) => warnings.push(m),
      group: (_name, fn) => fn(),
      secret() {},
    },
  };
}
