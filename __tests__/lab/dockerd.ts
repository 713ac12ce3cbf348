/**
 * Docker's engine (Debian's docker.io) on its own socket, data root and exec
 * root under a directory, with no networking of its own: for checks that
 * need a real `docker` (BuildKit builds, `docker load`). Needs root.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const DOCKER = '/usr/bin/docker';

export interface Dockerd {
  /** DOCKER_HOST for clients. */
  host: string;
  stop(): Promise<void>;
}

export async function startDockerd(dir: string): Promise<Dockerd> {
  const sock = join(dir, 'docker.sock');
  const proc: ChildProcess = spawn(
    'dockerd',
    [
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      '-H',
      `unix://${sock}`,
    ],
    { stdio: 'ignore' },
  );
  const host = `unix://${sock}`;
  const stop = async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 120; i++) {
    if (existsSync(sock)) {
      try {
        await execFileP(DOCKER, ['version'], { env: { PATH: process.env.PATH, DOCKER_HOST: host } });
        return { host, stop };
      } catch {
        // not ready
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error('dockerd did not come up in 30s');
}
