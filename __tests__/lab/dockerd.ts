/**
 * Docker's engine (Debian's docker.io, 20.10, BuildKit built in) on its own
 * socket, data root and exec root under `dir`, for the by-hand BuildKit
 * checks: no iptables, no bridge (builds use --network host). Registries on
 * 127.0.0.1 are insecure to Docker without being named.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './differential-lab.js';

/** The client with BuildKit built in (the one on PATH may lack buildx). */
export const DOCKER = '/usr/bin/docker';

export async function startDockerd(dir: string): Promise<{ host: string; proc: ChildProcess }> {
  const sock = join(dir, 'docker.sock');
  const proc = spawn(
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
  for (let i = 0; i < 120; i++) {
    if (existsSync(sock)) {
      try {
        await runCommand(DOCKER, ['version'], { env: { PATH: process.env.PATH, DOCKER_HOST: host } });
        return { host, proc };
      } catch {
        // not ready
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  proc.kill('SIGTERM');
  throw new Error('dockerd did not come up in 30s');
}
