/** Test helper: run a command in a sandbox and collect its output. */
import type { RunResult, RunSpec, Sandbox } from '../../../src/executor/isolation/sandbox.js';

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
