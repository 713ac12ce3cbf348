/** Runs the CLI's main() in-process with captured output (no TTY), as `kiln <argv>` would run. */
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: Buffer },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const { stdin } = opts;
  const code = await main(argv, {
    // The CLI's default snapshot store is in the user's cache dir: never the real one in tests.
    env: { XDG_CACHE_HOME: path.join(os.tmpdir(), 'kiln-test-cache'), ...opts.env },
    cwd: opts.cwd,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    isTTY: false,
    ...(stdin ? { stdin: () => Readable.from([stdin]) } : {}),
  });
  return { code, stdout, stderr };
}
