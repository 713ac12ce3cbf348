/**
 * The action's post step (action.yml `post:`, run even when the job was
 * cancelled): removes the temporary docker config holding the registry
 * password if the main step could not (it was killed with SIGKILL). The main
 * step records the directory with saveState.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';

export const AUTH_DIR_STATE = 'kilnAuthDir';
export const POST_STATE = 'kilnIsPost';

/** Whether this run of the bundle is the post step (the main step set the state). */
export function isPost(): boolean {
  return core.getState(POST_STATE) === 'true';
}

/** Called by the main step first: the next run of the bundle in this job is the post step. */
export function markMainStarted(): void {
  core.saveState(POST_STATE, 'true');
}

export async function runPost(): Promise<void> {
  const dir = core.getState(AUTH_DIR_STATE);
  if (!dir) return;
  // Only what the main step made: RUNNER_TEMP/kiln-auth-*.
  const runnerTemp = process.env.RUNNER_TEMP ?? '';
  const ok =
    path.isAbsolute(dir) &&
    runnerTemp !== '' &&
    path.dirname(dir) === path.resolve(runnerTemp) &&
    path.basename(dir).startsWith('kiln-auth-');
  if (!ok) {
    core.warning(`post: not removing ${dir}: not a Kiln credentials directory under RUNNER_TEMP`);
    return;
  }
  await rm(dir, { recursive: true, force: true });
  core.info(`post: removed the temporary registry credentials (${dir}) if they were left`);
}
