/**
 * What the action does with the image on the runner after the build:
 * `docker load` of the docker-archive (build-push-action's `load`), and the
 * tar of an OCI layout (`outputs: type=oci,dest=FILE`). The docker CLI is
 * looked up before the build, so a missing one fails in seconds.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '../executable.js';
import type { Logger } from '../log.js';

const execFileP = promisify(execFile);

/** The docker CLI on PATH, or an Error that says what to do. */
export async function findDocker(envPath: string | undefined): Promise<string> {
  const docker = await findExecutable('docker', (envPath ?? '').split(path.delimiter));
  if (!docker) {
    throw new Error(
      'load: true (or outputs: type=docker without dest) needs the docker CLI on PATH, and there is none; ' +
        'write the image to a file instead (outputs: type=docker,dest=image.tar) and load it where Docker runs',
    );
  }
  return docker;
}

/** `docker load -i tar`; the tar is removed after when it is the action's own. */
export async function dockerLoad(
  docker: string,
  load: { tar: string; temporary: boolean },
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<void> {
  try {
    const { stdout } = await execFileP(docker, ['load', '-i', load.tar], { env, maxBuffer: 16 << 20 });
    for (const line of stdout.split('\n').filter((l) => l.trim())) log.info(`docker load: ${line.trim()}`);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`docker load -i ${load.tar} failed: ${(err.stderr ?? '').trim() || err.message}`);
  } finally {
    if (load.temporary) await rm(load.tar, { force: true });
  }
}

/** Packs an OCI layout directory into a tar (what `type=oci,dest=FILE` writes), then removes the directory. */
export async function packOciArchive(dir: string, dest: string, log: Logger): Promise<void> {
  try {
    await execFileP('tar', [
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-cf',
      dest,
      '-C',
      dir,
      '.',
    ]);
    log.info(`wrote OCI archive ${dest}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
