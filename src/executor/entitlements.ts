/**
 * What a Dockerfile may ask only when the person running the build allows
 * it (BuildKit's entitlements, `--allow`): RUN --security=insecure needs
 * `security.insecure`, RUN --network=host `network.host` (or the build's
 * `--network host`). Checked for the whole plan before any pull, and again
 * by each RUN (base image ONBUILD triggers are known only later).
 */
import { DockerfileError } from '../dockerfile/errors.js';
import type { Instruction } from '../dockerfile/instructions.js';
import type { BuildPlan } from '../dockerfile/stages.js';
import type { BuildOptions } from './options.js';

export function assertEntitled(instr: Instruction, options: Pick<BuildOptions, 'allow' | 'network'>): void {
  if (
    instr.kind === 'run' &&
    instr.network === 'host' &&
    options.network !== 'host' &&
    !options.allow.includes('network.host')
  ) {
    throw DockerfileError.at(
      instr.location,
      "RUN --network=host needs the network.host entitlement: pass --allow network.host (in the action: allow: network.host) if you trust this Dockerfile with the host's network, its loopback services included",
    );
  }
  if (instr.kind === 'run' && instr.security === 'insecure' && !options.allow.includes('security.insecure')) {
    throw DockerfileError.at(
      instr.location,
      'RUN --security=insecure needs the security.insecure entitlement: pass --allow security.insecure (in the action: extra_args: --allow security.insecure) if you trust this Dockerfile with every capability',
    );
  }
}

/** assertEntitled for every instruction the plan runs. */
export function assertPlanEntitled(plan: BuildPlan, options: Pick<BuildOptions, 'allow' | 'network'>): void {
  for (const p of plan.stages)
    for (const instr of [...p.onbuild, ...p.stage.instructions]) assertEntitled(instr, options);
}
