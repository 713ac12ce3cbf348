/**
 * build() as root, for a non-root runner with passwordless sudo: the same
 * bundle is started as `sudo -n -- env -i PATH=… HOME=/root node <bundle>
 * --kiln-executor <request>` (executor-mode.ts). The child gets a fixed
 * PATH and no runner variables (no INPUT_*, no GITHUB_TOKEN); what it needs
 * is in the request file, in a 0700 directory of the invoking user. Its log
 * goes straight to the runner (stdout is inherited); its result comes back
 * as a JSON file. The outputs it writes are handed back to the invoking user.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { findExecutable, HOST_PATH } from '../executable.js';
import type { BuildOptions } from '../executor/options.js';
import type { BuildResult } from '../executor/result.js';
import type { Logger } from '../log.js';
import { dockerConfigPath } from '../registry/credentials.js';
import {
  deserializeError,
  EXECUTOR_FLAG,
  type ExecutorRequest,
  type ExecutorResponse,
  encodeRequest,
  outputPaths,
} from './executor-mode.js';
import { decodeJson } from './options-codec.js';

const execFileP = promisify(execFile);

/** Variables the root child keeps from the runner: TLS trust settings only. */
const PASSED_ENV = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'TMPDIR'] as const;

/** The first executable `name` on the runner's PATH, then the system directories. */
function onRunnerPath(name: string, envPath: string | undefined): Promise<string | undefined> {
  return findExecutable(name, [...(envPath ?? '').split(path.delimiter), ...HOST_PATH.split(':')]);
}

/** Whether `sudo -n` runs commands without a password: true, or why not. */
export async function probeSudo(envPath: string | undefined): Promise<true | string> {
  const sudo = await onRunnerPath('sudo', envPath);
  if (!sudo) return 'sudo is not installed';
  try {
    await execFileP(sudo, ['-n', '--', 'true'], {
      env: { PATH: HOST_PATH, LC_ALL: 'C' },
      timeout: 15_000,
    });
    return true;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return (err.stderr ?? '').trim().split('\n').pop() || err.message;
  }
}

/** The environment of the root child: a fixed PATH, root's HOME, TLS trust settings. */
export function executorEnv(env: NodeJS.ProcessEnv): string[] {
  const out = [`PATH=${HOST_PATH}`, 'HOME=/root'];
  for (const k of PASSED_ENV) {
    const v = env[k];
    if (v) out.push(`${k}=${v}`);
  }
  return out;
}

export interface PrivilegedBuildDeps {
  log: Logger;
  verbose: boolean;
  /** Where the request directory goes (RUNNER_TEMP). */
  tempRoot: string;
  /** The node binary and the bundle to run (process.execPath, process.argv[1]). */
  node: string;
  script: string;
  cwd: string;
  /** The runner's environment: only PATH (to find sudo) and PASSED_ENV are read. */
  env: NodeJS.ProcessEnv;
  owner: { uid: number; gid: number };
}

/**
 * The options as the root child needs them, which gets no runner variables:
 * credentials named explicitly (root's HOME differs), secrets read from
 * variables carried as values, the default SSH agent as its socket path.
 */
export function optionsForRoot(options: BuildOptions, env: NodeJS.ProcessEnv): BuildOptions {
  const o: BuildOptions = {
    ...options,
    secrets: options.secrets.map((s) => (s.env === undefined ? s : { id: s.id, value: env[s.env] ?? '' })),
    ssh: options.ssh.map((s) =>
      s.paths.length || !env.SSH_AUTH_SOCK ? s : { ...s, paths: [env.SSH_AUTH_SOCK] },
    ),
  };
  if (o.dockerConfig) return o;
  const own = dockerConfigPath({ env });
  return existsSync(own) ? { ...o, dockerConfig: own } : o;
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
}

export async function privilegedBuild(
  options: BuildOptions,
  deps: PrivilegedBuildDeps,
): Promise<BuildResult> {
  const sudo = await onRunnerPath('sudo', deps.env.PATH);
  const envBin = await onRunnerPath('env', undefined);
  if (!sudo || !envBin) throw new Error('sudo or env is missing: cannot run the build as root');
  const opts = optionsForRoot(options, deps.env);

  // Parents of the outputs are made now, by the invoking user; the child makes (and returns) only the leaves.
  const chown = outputPaths(opts).map((p) => path.resolve(deps.cwd, p));
  for (const p of [opts.ociLayoutPath, opts.tarPath, opts.digestFile, opts.imageNameWithDigestFile]) {
    if (p) await mkdir(path.dirname(path.resolve(deps.cwd, p)), { recursive: true }).catch(() => undefined);
  }
  if (opts.cache.dir)
    await mkdir(path.resolve(deps.cwd, opts.cache.dir), { recursive: true }).catch(() => undefined);

  const dir = await mkdtemp(path.join(deps.tempRoot, 'kiln-executor-'));
  try {
    const requestPath = path.join(dir, 'request.json');
    const responsePath = path.join(dir, 'response.json');
    const request: ExecutorRequest = {
      options: opts,
      verbose: deps.verbose,
      responsePath,
      owner: deps.owner,
      chown,
    };
    await writeFile(requestPath, encodeRequest(request), { mode: 0o600 });

    const argv = [
      '-n',
      '--',
      envBin,
      '-i',
      ...executorEnv(deps.env),
      deps.node,
      deps.script,
      EXECUTOR_FLAG,
      requestPath,
    ];
    deps.log.debug(`running: ${sudo} ${argv.join(' ')}`);
    const child = spawn(sudo, argv, { cwd: deps.cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    // A cancelled job: sudo relays the signal to the build, which cleans up its workspace.
    const relay = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = relay('SIGINT');
    const onTerm = relay('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    let exit: Awaited<ReturnType<typeof waitForExit>>;
    try {
      exit = await waitForExit(child);
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }

    let text: string;
    try {
      text = await readFile(responsePath, 'utf8');
    } catch {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new Error(`the build running as root (sudo -n) ${how} without a result; see the log above`);
    }
    const response = decodeJson(text) as ExecutorResponse;
    if (!response.ok) throw deserializeError(response.error);
    return response.result;
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
