/**
 * docker/build-push-action inputs that Kiln does not implement. GitHub passes
 * inputs by name and only warns about names an action does not declare, so
 * action.yml declares them all and a value Kiln would not honour fails the
 * step, naming the input and saying why — never a silently different image.
 * Values that ask for what Kiln does anyway (`pull: true`, `provenance:
 * false`…) are accepted.
 */
import type { Problems } from './input-error.js';

/** Inputs refused whenever they are set, with the reason. */
export const REFUSED_INPUTS = {
  'add-hosts': 'is not supported: RUN steps see the runner’s /etc/hosts',
  annotations: 'is not supported yet: Kiln sets no manifest annotations; use labels',
  attests: 'is not supported: Kiln makes no attestations (SBOM, provenance)',
  'build-contexts': 'is not supported yet: COPY --from can name a stage or an image, not an extra context',
  builder: 'is not needed: Kiln is the builder (remove it, and docker/setup-buildx-action)',
  'cgroup-parent': 'is not supported: RUN steps do not get a cgroup of their own',
  'no-cache-filters': 'is not supported: no-cache applies to every stage',
  'shm-size': 'is not supported: RUN steps get the /dev/shm of the sandbox',
  ulimit: 'is not supported: RUN steps inherit the runner’s limits',
} as const;
export type RefusedInput = keyof typeof REFUSED_INPUTS;

/** Inputs whose value is accepted when it asks for what Kiln does; why another value is refused. */
export const CONDITIONAL_INPUTS = {
  pull: {
    accepts: (v: string) => /^(true|false)?$/i.test(v),
    refusal: 'expects true or false (Kiln always pulls base images from their registry, as pull: true)',
  },
  provenance: {
    accepts: (v: string) => /^(false|0)?$/i.test(v),
    refusal: 'is not supported: Kiln makes no provenance attestation; remove it or set it to false',
  },
  sbom: {
    accepts: (v: string) => /^(false|0)?$/i.test(v),
    refusal: 'is not supported: Kiln makes no SBOM attestation; remove it or set it to false',
  },
  call: {
    accepts: (v: string) => /^(build)?$/i.test(v),
    refusal: 'is not supported: Kiln builds (call: build); lint and check runs are not available',
  },
} as const;
export type ConditionalInput = keyof typeof CONDITIONAL_INPUTS;

export const FOREIGN_INPUT_NAMES = [
  ...(Object.keys(REFUSED_INPUTS) as RefusedInput[]),
  ...(Object.keys(CONDITIONAL_INPUTS) as ConditionalInput[]),
];

/** Adds a problem for every foreign input whose value Kiln would not honour. */
export function checkForeignInputs(
  get: (name: RefusedInput | ConditionalInput) => string,
  problems: Problems,
): void {
  for (const [name, why] of Object.entries(REFUSED_INPUTS) as [RefusedInput, string][]) {
    if (get(name) !== '') problems.add(name, why);
  }
  for (const [name, rule] of Object.entries(CONDITIONAL_INPUTS) as [
    ConditionalInput,
    (typeof CONDITIONAL_INPUTS)[ConditionalInput],
  ][]) {
    const v = get(name);
    if (!rule.accepts(v)) problems.add(name, `"${v}" ${rule.refusal}`);
  }
}
