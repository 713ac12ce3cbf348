/** `kiln ARGV` in its own process, from the sources (through tsx): a "runner" of its own. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

/** Runs the CLI; resolves to its stdout, rejects with its stderr. */
export async function kilnProcess(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await execFileP(process.execPath, ['--import', 'tsx', 'src/cli-main.ts', ...argv], {
      cwd: repo,
      env: { ...process.env, CI: 'true', ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`kiln ${argv.join(' ')} failed: ${err.stderr || err.message}`);
  }
}
