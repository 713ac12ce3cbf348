/** Runs the CLI's main() in-process with captured output (no TTY), as `kiln <argv>` would run. */
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
    env: opts.env ?? {},
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
