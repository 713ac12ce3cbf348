/**
 * Action entry: GitHub runs dist/index.js, the bundle of this file. With
 * `--kiln-executor <request>` the same bundle is the build running as root
 * (see action/privileged-build.ts); otherwise it is the action's main step,
 * or its post step (action/post.ts) when the main step ran before.
 */
import { executorRequestFromArgv, runExecutor } from './action/executor-mode.js';
import { run } from './action/main.js';
import { isPost, markMainStarted, runPost } from './action/post.js';

const request = executorRequestFromArgv(process.argv.slice(2));
if (request) process.exitCode = await runExecutor(request);
else if (isPost()) await runPost();
else {
  markMainStarted();
  await run();
}
