/**
 * Where the image goes besides the registry, from build-push-action's
 * `outputs` and `load`: `type=docker,dest=FILE` is a docker-archive
 * (`docker load -i FILE` reads it), `type=docker` without dest and `load:
 * true` load it into the runner's Docker (from a docker-archive in
 * RUNNER_TEMP, removed after), `type=oci,dest=DIR,tar=false` is an OCI
 * layout directory and `type=oci,dest=FILE` a tar of one (written to
 * RUNNER_TEMP, packed into FILE after the build). `type=registry` is the
 * push, handled with `push`.
 */
import path from 'node:path';
import type { Problems } from './input-error.js';
import type { ActionInputs } from './inputs.js';

export interface OutputPlan {
  /** docker-archive to write (options.tarPath). */
  tarPath?: string;
  /** OCI layout directory to write (options.ociLayoutPath). */
  ociLayoutPath?: string;
  /** `docker load -i tar` after the build; `temporary`: the tar is the action's own, removed after. */
  load?: { tar: string; temporary: boolean };
  /** Pack ociLayoutPath (the action's own) into this tar after the build. */
  ociArchive?: string;
}

export function planOutputs(
  inputs: Pick<ActionInputs, 'outputs' | 'load'>,
  workspace: string,
  runnerTemp: string,
  runId: string,
  problems: Problems,
): OutputPlan {
  const plan: OutputPlan = {};
  let load = inputs.load;
  const docker = inputs.outputs.filter((o) => o.type === 'docker');
  const oci = inputs.outputs.filter((o) => o.type === 'oci');
  if (docker.length > 1) problems.add('outputs', 'names type=docker more than once; keep one');
  if (oci.length > 1) problems.add('outputs', 'names type=oci more than once; keep one');
  const d = docker[0];
  if (d?.type === 'docker') {
    if (d.dest) plan.tarPath = path.resolve(workspace, d.dest);
    else load = true;
  }
  const o = oci[0];
  if (o?.type === 'oci') {
    if (o.tar) {
      plan.ociLayoutPath = path.join(runnerTemp, `kiln-oci-${runId}`);
      plan.ociArchive = path.resolve(workspace, o.dest);
    } else plan.ociLayoutPath = path.resolve(workspace, o.dest);
  }
  if (load) {
    plan.load = plan.tarPath
      ? { tar: plan.tarPath, temporary: false }
      : { tar: path.join(runnerTemp, `kiln-load-${runId}.tar`), temporary: true };
    plan.tarPath = plan.load.tar;
  }
  return plan;
}
