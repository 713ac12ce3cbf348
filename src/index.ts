/**
 * Action entry: GitHub runs dist/index.js, the bundle of this file. With
 * `--kiln-executor <request>` the same bundle is the build running as root
 * (see action/privileged-build.ts); otherwise it is the action.
 */
import { executorRequestFromArgv, runExecutor } from './action/executor-mode.js';
import { run } from './action/main.js';

const request = executorRequestFromArgv(process.argv.slice(2));
if (request) process.exitCode = await runExecutor(request);
else await run();
