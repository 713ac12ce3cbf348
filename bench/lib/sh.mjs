/**
 * Child processes for the bench harness: run() collects output (or appends
 * it to a log file) and fails with the command's last output lines. Every
 * command gets a timeout so a hung tool cannot stall the whole run.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export class CommandError extends Error {
  constructor(argv, code, signal, output) {
    const tail = output.trim().split('\n').slice(-15).join('\n');
    super(`${argv.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`);
    this.name = 'CommandError';
    this.exitCode = code;
  }
}

/**
 * Runs argv; resolves { code, signal, stdout, stderr }. Rejects on a non-zero
 * exit unless allowFail. With `log` (a path) stdout and stderr are appended
 * to that file instead of being kept in memory.
 */
export function run(argv, opts = {}) {
  const { env, cwd, allowFail = false, timeoutMs = 30 * 60_000, log, input } = opts;
  return new Promise((resolve, reject) => {
    const fd = log ? openSync(log, 'a') : undefined;
    const out = fd ?? 'pipe';
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env: env ?? process.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', out, out],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      if (fd !== undefined) closeSync(fd);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      done();
      if ((code !== 0 || signal) && !allowFail) {
        const output = log ? readFileSync(log, 'utf8').slice(-8000) : `${stdout}\n${stderr}`;
        reject(new CommandError(argv, code, signal, output));
      } else resolve({ code, signal, stdout, stderr });
    });
  });
}

/** stdout of a command, trimmed; '' when it fails. */
export async function capture(argv, opts = {}) {
  try {
    return (await run(argv, opts)).stdout.trim();
  } catch {
    return '';
  }
}
