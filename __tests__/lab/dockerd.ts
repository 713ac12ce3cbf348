/**
 * A Docker engine of the test's own: Debian's dockerd (docker.io) on its own
 * socket, with its data root, exec root and pid file under a temp dir,
 * no iptables, no bridge (containers use `--network host` to reach the
 * loopback registry, which is marked insecure). Optionally its data root is
 * a small loop-mounted ext4 filesystem, so a container can fill its disk.
 * Containers run unprivileged: Docker's default capabilities and seccomp.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DOCKERD = '/usr/sbin/dockerd';
/** Debian's client, matching the engine (the one on PATH may be another version). */
export const DOCKER = '/usr/bin/docker';

export type Dockerd = TestDockerd;

export interface TestDockerd {
  /** DOCKER_HOST for the client. */
  host: string;
  dir: string;
  /** Runs the docker client; resolves with stdout, rejects with the command and its output. */
  docker(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Like docker() but resolves with the exit code and both outputs. */
  dockerResult(
    args: string[],
    opts?: { timeoutMs?: number },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** dockerd's log so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface DockerdOptions {
  insecureRegistries?: string[];
  /** Put the data root on a loop-mounted ext4 filesystem of this size (e.g. '3G'). */
  dataSize?: string;
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { env, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 600_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function sh(cmd: string, args: string[]): Promise<void> {
  const r = await run(cmd, args, process.env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export async function startDockerd(opts: DockerdOptions = {}): Promise<TestDockerd> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-dockerd-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  const env = { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: host, DOCKER_CONFIG: join(dir, 'client') };
  let daemon: ChildProcess | undefined;
  const cleanup = async () => {
    for (const m of mountsUnder(dir)) await sh('umount', ['-l', m]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync(data);
    if (opts.dataSize) {
      const img = join(dir, 'data.img');
      await sh('truncate', ['-s', opts.dataSize, img]);
      await sh('mkfs.ext4', ['-q', '-F', img]);
      await sh('mount', ['-o', 'loop', img, data]);
    }
    const args = [
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--log-level=warn',
      '--data-root',
      data,
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'docker.pid'),
      '-H',
      host,
    ];
    for (const r of opts.insecureRegistries ?? []) args.push('--insecure-registry', r);
    const logFile = join(dir, 'dockerd.log');
    const fd = openSync(logFile, 'a');
    daemon = spawn(DOCKERD, args, { stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH } });
    const proc = daemon;
    const killOnExit = () => proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    const log = () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    };
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`dockerd exited (${proc.exitCode}):\n${log()}`);
      const r = await run(DOCKER, ['version', '--format', '{{.Server.Version}}'], env);
      if (r.code === 0) break;
      if (Date.now() > deadline) throw new Error(`dockerd did not answer on ${sock} in 60 s:\n${log()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const dockerResult = (a: string[], o: { input?: string; timeoutMs?: number } = {}) =>
      run(DOCKER, a, env, o);
    return {
      host,
      dir,
      dockerResult,
      async docker(a, o = {}) {
        const r = await dockerResult(a, o);
        if (r.code !== 0) {
          throw new Error(
            `docker ${a.join(' ')} exited with ${r.code}:\n${(r.stdout + r.stderr).slice(-6000)}`,
          );
        }
        return r.stdout;
      },
      log,
      async stop() {
        process.off('exit', killOnExit);
        await run(
          DOCKER,
          ['rm', '-f', ...(await run(DOCKER, ['ps', '-aq'], env)).stdout.split(/\s+/).filter(Boolean)],
          env,
        );
        if (proc.exitCode === null) {
          const closed = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
          await closed;
          clearTimeout(timer);
        }
        await cleanup();
      },
    };
  } catch (e) {
    daemon?.kill('SIGKILL');
    await cleanup();
    throw e;
  }
}
