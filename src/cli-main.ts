/** Bundle entry of the CLI: runs main() on the process's argv. */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
  columns: () => process.stderr.columns ?? 80,
  stdin: () => process.stdin,
  exit: (code) => process.exit(code),
});
