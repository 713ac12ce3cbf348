/**
 * Git servers on loopback for the git-source tests: bare repositories
 * served by `git daemon` (git://) and by `git http-backend` behind a small
 * HTTP server (http://), which can demand a token the way GitHub takes one
 * (`Authorization: basic base64(x-access-token:TOKEN)`) and records the
 * Authorization headers it saw. Repositories are made with the real `git`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './registry.js';

const run = promisify(execFile);
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Kiln Test',
  GIT_AUTHOR_EMAIL: 'test@kiln.invalid',
  GIT_COMMITTER_NAME: 'Kiln Test',
  GIT_COMMITTER_EMAIL: 'test@kiln.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env: GIT_ENV });
  return stdout.trim();
}

/** One commit of a test repository: files to write, then commit (and tag, on a branch). */
export interface RepoCommit {
  files: Record<string, string | { content: string; mode: number }>;
  message: string;
  tag?: string;
  branch?: string;
}

export interface GitServers {
  root: string;
  /** `git://127.0.0.1:PORT` */
  daemonUrl: string;
  /** `http://127.0.0.1:PORT` */
  httpUrl: string;
  /** Authorization headers the HTTP server received. */
  authHeaders: string[];
  /** Makes `name.git` with these commits (each: files to write, message, optional tag). */
  repo(
    name: string,
    commits: {
      files: Record<string, string | { content: string; mode: number }>;
      message: string;
      tag?: string;
      branch?: string;
    }[],
  ): Promise<{ commits: string[] }>;
  stop(): Promise<void>;
}

export async function startGitServers(opts: { token?: string } = {}): Promise<GitServers> {
  const root = await mkdtemp(path.join(tmpdir(), 'kiln-git-'));
  const repos = path.join(root, 'repos');
  await mkdir(repos);
  const daemonPort = await freePort();
  const daemon: ChildProcess = spawn(
    'git',
    [
      'daemon',
      '--reuseaddr',
      '--export-all',
      `--base-path=${repos}`,
      '--listen=127.0.0.1',
      `--port=${daemonPort}`,
      repos,
    ],
    { stdio: 'ignore', env: GIT_ENV },
  );
  const authHeaders: string[] = [];
  const expected = opts.token
    ? `basic ${Buffer.from(`x-access-token:${opts.token}`).toString('base64')}`
    : undefined;
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth) authHeaders.push(auth);
    if (expected && auth?.toLowerCase() !== expected.toLowerCase()) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="kiln-test"' });
      res.end('authentication required\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...GIT_ENV,
        GIT_PROJECT_ROOT: repos,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_ADDR: '127.0.0.1',
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    // CGI output: headers, a blank line, the body.
    let head = Buffer.alloc(0);
    let headerDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headerDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headerDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const k = line.slice(0, colon).trim();
        const v = line.slice(colon + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else res.setHeader(k, v);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => res.end());
  });
  const httpPort = await freePort();
  await new Promise<void>((resolve) => server.listen(httpPort, '127.0.0.1', resolve));
  // The daemon is up when it accepts a connection.
  for (let i = 0; i < 100; i++) {
    const up = await run('git', ['ls-remote', `git://127.0.0.1:${daemonPort}/none`], { env: GIT_ENV }).then(
      () => true,
      (e: { stderr?: string }) => !/Connection refused|unable to connect/i.test(e.stderr ?? ''),
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    root,
    daemonUrl: `git://127.0.0.1:${daemonPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    authHeaders,
    async repo(name, commits) {
      const work = path.join(root, 'work', name);
      await mkdir(work, { recursive: true });
      await git(work, 'init', '-q');
      const out: string[] = [];
      for (const c of commits) {
        if (c.branch) await git(work, 'checkout', '-q', '-B', c.branch);
        for (const [file, content] of Object.entries(c.files)) {
          const abs = path.join(work, file);
          await mkdir(path.dirname(abs), { recursive: true });
          const text = typeof content === 'string' ? content : content.content;
          await writeFile(abs, text, { mode: typeof content === 'string' ? 0o644 : content.mode });
        }
        await git(work, 'add', '-A');
        await git(work, 'commit', '-q', '-m', c.message);
        if (c.tag) await git(work, 'tag', '-a', c.tag, '-m', `tag ${c.tag}`);
        out.push(await git(work, 'rev-parse', 'HEAD'));
      }
      await git(work, 'checkout', '-q', 'main').catch(() => undefined);
      const bare = path.join(repos, `${name}.git`);
      await rm(bare, { recursive: true, force: true });
      await git(root, 'clone', '-q', '--bare', work, bare);
      return { commits: out };
    },
    async stop() {
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill();
      await exited;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
