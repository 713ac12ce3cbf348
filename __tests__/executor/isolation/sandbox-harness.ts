/** Test helpers: run a command in a sandbox and collect its output; run a script as an unprivileged user. */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { RunResult, RunSpec, Sandbox } from '../../../src/executor/isolation/sandbox.js';

/** The repository root (for scripts that import its sources). */
export const REPO = resolve(import.meta.dirname ?? '.', '../../..');

/** Runs a TypeScript file as uid/gid 65534 (nobody) with tsx; returns its trimmed stdout. */
export function runAsNobody(script: string, env: Record<string, string | undefined>): string {
  return execFileSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', '--', join(REPO, 'node_modules/.bin/tsx'), script],
    { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } },
  ).trim();
}

export interface Collected extends RunResult {
  stdout: string;
  stderr: string;
}

export async function runIn(
  sandbox: Sandbox,
  root: string,
  cmd: string | string[],
  over: Partial<RunSpec> = {},
): Promise<Collected> {
  let stdout = '';
  let stderr = '';
  const r = await sandbox.run({
    root,
    argv: typeof cmd === 'string' ? ['/bin/sh', '-c', cmd] : cmd,
    env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
    cwd: '/',
    user: { uid: 0, gid: 0, groups: [] },
    network: 'default',
    onOutput: (chunk, stream) => {
      if (stream === 'stdout') stdout += chunk.toString();
      else stderr += chunk.toString();
    },
    ...over,
  });
  return { ...r, stdout, stderr };
}
