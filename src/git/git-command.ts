/**
 * Running the `git` program for a fetch: never interactive (no prompt for
 * a password, ssh in batch mode), the system config ignored, and a token
 * for a host given as an HTTP header through the environment
 * (GIT_CONFIG_COUNT), so it appears on no command line; every message that
 * leaves here has the token, its header and URL credentials removed.
 */
import { spawn } from 'node:child_process';

export class GitError extends Error {
  override name = 'GitError';
}

export interface GitAuth {
  /** URL prefixes the token is sent to (`https://github.com/`, a GitHub Enterprise server's). */
  urls: readonly string[];
  token: string;
  /** Basic auth user name; default `x-access-token` (how GitHub takes a token). */
  username?: string;
}

export interface GitRunOptions {
  cwd: string;
  auth?: GitAuth;
  signal?: AbortSignal;
}

function basic(auth: GitAuth): string {
  return Buffer.from(`${auth.username ?? 'x-access-token'}:${auth.token}`).toString('base64');
}

/** The Authorization header GitHub takes for a token over https (as BuildKit and actions/checkout send it). */
function authHeader(auth: GitAuth): string {
  return `Authorization: basic ${basic(auth)}`;
}

/** Text with the token, its header value and any URL credentials removed. */
export function redactGit(text: string, auth: GitAuth | undefined): string {
  let out = text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@\s]+@/g, '$1');
  if (auth?.token) out = out.split(basic(auth)).join('***').split(auth.token).join('***');
  return out;
}

function gitEnv(auth: GitAuth | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    SSH_ASKPASS: 'true',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
    LC_ALL: 'C',
  };
  let n = 0;
  const set = (key: string, value: string) => {
    env[`GIT_CONFIG_KEY_${n}`] = key;
    env[`GIT_CONFIG_VALUE_${n}`] = value;
    n++;
  };
  // Checkouts are plain files: no hooks, no filters that run programs of the repository.
  set('core.hooksPath', '/dev/null');
  set('init.defaultBranch', 'master');
  set('advice.detachedHead', 'false');
  if (auth) for (const url of auth.urls) set(`http.${url}.extraheader`, authHeader(auth));
  env.GIT_CONFIG_COUNT = String(n);
  return env;
}

/** Runs `git args…`; resolves with stdout, rejects with GitError carrying git's last lines (redacted). */
export function runGit(args: readonly string[], opts: GitRunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: opts.cwd,
      env: gitEnv(opts.auth),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        new GitError(
          e.code === 'ENOENT'
            ? 'the git program is not installed: install git (apt-get install git) to use git sources'
            : redactGit(e.message, opts.auth),
        ),
      );
    });
    child.on('close', (code) => {
      if (code === 0) {
        resolve(Buffer.concat(out).toString('utf8'));
        return;
      }
      const lines = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-4).join('; ');
      reject(new GitError(redactGit(`git ${args[0]} failed (exit ${code}): ${lines}`, opts.auth)));
    });
  });
}
