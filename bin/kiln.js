#!/usr/bin/env node
// The `kiln` command: the committed CLI bundle, no build step needed after `npm ci`.
//
// Node 24's V8 lets the young generation grow to 128 MiB while Kiln streams
// layers (RSS +50-100 MiB, heap in use stays ~40 MiB); 8 MiB semi-spaces
// cost no measurable time (node-modules bench case: 15.4-15.6 s either way,
// peak RSS 250-254 -> 235 MiB). Where Node can replace the process
// (process.execve, Node 22.15+/24), restart once with that cap before the
// bundle loads (~30 ms), unless the caller set its own; only for `build`
// (help, version and parse stream no layers).
const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
const building = process.argv[2] === 'build';
if (
  building &&
  typeof process.execve === 'function' &&
  !process.env.KILN_NODE_REEXEC &&
  !flags.includes('semi-space')
) {
  process.env.KILN_NODE_REEXEC = '1';
  const argv = [process.execPath, '--max-semi-space-size=8', ...process.execArgv, ...process.argv.slice(1)];
  process.execve(process.execPath, argv, process.env);
}
// V8's compile cache (Node 22.1+, in the OS temp dir) saves ~20-30 ms of bundle compilation a run.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/cli/index.js');
