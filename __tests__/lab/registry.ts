/**
 * Starts Debian's `docker-registry` (distribution 2.8) on a free loopback
 * port with a fresh data dir and a generated config; open, or with
 * `auth: token` behind the test token server (ghcr.io's flow). Optionally
 * serves HTTPS with a throwaway CA. The registry's log is captured so tests
 * can count uploads and mounts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startTokenServer, type TokenServer, type TokenUser } from './token-server.js';

export interface RegistryOptions {
  /** 'token': bearer tokens from the test token server (like ghcr.io). Default: open. */
  auth?: 'token';
  /** Users of the token server; default `{ kiln: { password: 'kiln-pass' } }` with full access. */
  users?: Record<string, TokenUser>;
  /** Actions anonymous clients get per repository (token flavour only). */
  anonymous?: Record<string, string[]>;
  /** JWT lifetime in seconds (token flavour). */
  tokenLifetimeSeconds?: number;
  /** expires_in the token server reports (default: the real lifetime). */
  reportedExpiresIn?: number;
  /** Serve HTTPS with a certificate signed by a throwaway CA (see `caPath`). */
  tls?: boolean;
}

export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://127.0.0.1:PORT` (https with tls) */
  url: string;
  /** CA certificate that signed the registry certificate (tls only). */
  caPath?: string;
  /** Token flavour: the token server and default credentials. */
  token?: TokenServer;
  username?: string;
  password?: string;
  /** The registry's captured log (stdout and stderr). */
  logs(): string;
  /** Requests from the registry's access log, oldest first. */
  requests(): AccessLogEntry[];
  stop(): Promise<void>;
}

export const DEFAULT_USER = 'kiln';
export const DEFAULT_PASSWORD = 'kiln-pass';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function makeServerCert(dir: string): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  const ossl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  ossl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    ca,
    '-days',
    '2',
    '-subj',
    '/CN=kiln-test-ca',
  ]);
  ossl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ossl(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-out', cert, '-days', '2', '-extfile', ext]);
  return { ca, cert, key };
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-registry-'));
  const data = join(dir, 'data');
  let token: TokenServer | undefined;
  let child: ChildProcess | undefined;
  const log: string[] = [];
  try {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const lines = [
      'version: 0.1',
      'log:',
      '  level: info',
      '  formatter: text',
      '  fields: { service: registry }',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${data}`,
      '  delete: { enabled: true }',
      '  maintenance:',
      '    uploadpurging: { enabled: false }',
      'http:',
      `  addr: ${host}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      '  headers:',
      '    X-Content-Type-Options: [nosniff]',
    ];
    let caPath: string | undefined;
    if (opts.tls) {
      const certs = makeServerCert(dir);
      caPath = certs.ca;
      lines.push('  tls:', `    certificate: ${certs.cert}`, `    key: ${certs.key}`);
    }
    if (opts.auth === 'token') {
      token = await startTokenServer({
        dir,
        service: 'kiln-test-registry',
        issuer: 'kiln-test-issuer',
        users: opts.users ?? { [DEFAULT_USER]: { password: DEFAULT_PASSWORD } },
        anonymous: opts.anonymous,
        lifetimeSeconds: opts.tokenLifetimeSeconds,
        reportedExpiresIn: opts.reportedExpiresIn,
      });
      lines.push(
        'auth:',
        '  token:',
        `    realm: ${token.realm}`,
        `    service: ${token.service}`,
        `    issuer: ${token.issuer}`,
        `    rootcertbundle: ${token.certPath}`,
      );
    }
    const configPath = join(dir, 'config.yml');
    writeFileSync(configPath, `${lines.join('\n')}\n`);

    child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (b: Buffer) => log.push(b.toString());
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let exited: string | undefined;
    child.on('exit', (code, signal) => {
      exited = `exited with ${code ?? signal}`;
    });
    const scheme = opts.tls ? 'https' : 'http';
    const url = `${scheme}://${host}`;
    await waitUntilUp(url, caPath, () => exited, log);
    const proc = child;
    // A crashed test run must not leave registries behind.
    const killOnExit = () => proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    const users = opts.users ?? { [DEFAULT_USER]: { password: DEFAULT_PASSWORD } };
    const [firstUser] = Object.keys(users);
    return {
      host,
      url,
      caPath,
      token,
      username: token ? firstUser : undefined,
      password: token && firstUser ? users[firstUser]!.password : undefined,
      logs: () => log.join(''),
      requests: () => parseAccessLog(log.join('')),
      async stop() {
        process.off('exit', killOnExit);
        await stopChild(proc);
        await token?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (child) await stopChild(child);
    await token?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function waitUntilUp(
  url: string,
  ca: string | undefined,
  exited: () => string | undefined,
  log: string[],
): Promise<void> {
  const dispatcher = new Agent({ connect: ca ? { ca: readFileSync(ca) } : {} });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const why = exited();
      if (why) throw new Error(`docker-registry ${why}:\n${log.join('')}`);
      try {
        const res = await request(`${url}/v2/`, { dispatcher });
        await res.body.dump();
        if (res.statusCode === 200 || res.statusCode === 401) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`docker-registry did not answer on ${url}:\n${log.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await dispatcher.close();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Parses the combined-format access log lines the registry writes. */
export function parseAccessLog(text: string): AccessLogEntry[] {
  const out: AccessLogEntry[] = [];
  const re = /"(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP\/[\d.]+" (\d{3})/g;
  for (const m of text.matchAll(re)) out.push({ method: m[1]!, path: m[2]!, status: Number(m[3]) });
  return out;
}
