/**
 * Who runs the build. RUN steps need root (chroot isolation) or user
 * namespaces (rootless). GitHub-hosted runners run the action as a non-root
 * user with passwordless sudo, so when the Dockerfile needs root and the
 * process is not root, the executor is re-run as root under `sudo -n`
 * (privileged-build.ts); without sudo, rootless isolation when the kernel
 * allows it; otherwise a clear error before anything is pulled.
 *
 * COPY, ADD and WORKDIR need no privileges: their layers carry the owners
 * the Dockerfile sets whoever Kiln runs as (src/executor/steps/owned-layer.ts).
 */
import { readFile } from 'node:fs/promises';
import { parseDockerfile } from '../dockerfile/dockerfile.js';
import type { IsolationRequest } from '../executor/options.js';

export type Execution =
  /** build() in this process; `isolation` replaces options.isolation when set. */
  | { kind: 'in-process'; isolation?: IsolationRequest; reason: string }
  /** build() in a child process run as root with `sudo -n`. */
  | { kind: 'sudo'; reason: string };

/** What in a Dockerfile needs privileges. */
export interface PrivilegeNeeds {
  /** RUN steps: the sandbox needs root or user namespaces. */
  run: boolean;
}

/** The checks choosePrivileges() needs; each answers true or why not. */
export interface PrivilegeProbes {
  isRoot: boolean;
  /** `sudo -n true` works. */
  sudo(): Promise<true | string>;
  /** A rootless sandbox can be set up here. */
  rootless(): Promise<true | string>;
}

export class PrivilegeError extends Error {
  override name = 'PrivilegeError';
}

/** What the Dockerfile's instructions (in any stage) need. */
export function dockerfileNeeds(text: string, file: string): PrivilegeNeeds {
  const df = parseDockerfile(text, file);
  const kinds = new Set(df.stages.flatMap((s) => s.instructions.map((i) => i.kind)));
  return { run: kinds.has('run') };
}

/**
 * dockerfileNeeds() of a file. Undefined when it cannot be read or parsed:
 * the build then reports the problem with its file and line.
 */
export async function readDockerfileNeeds(file: string): Promise<PrivilegeNeeds | undefined> {
  try {
    return dockerfileNeeds(await readFile(file, 'utf8'), file);
  } catch {
    return undefined;
  }
}

const SUDO_HINT =
  'GitHub-hosted runners allow passwordless sudo; on a self-hosted runner give the runner user passwordless sudo (NOPASSWD) or run it as root';

/** For runners with neither (e.g. actions-runner-controller pods): the Kiln image as the job's container. */
export const JOB_CONTAINER_HINT =
  'Or run the job in the Kiln image, which builds in place without either: `container: ghcr.io/kiln-build/kiln:debug` on the job, then a step `run: kiln build --context . --destination <image> --cleanup` instead of this action (see examples/github/kiln-job-container.yml and "In a container" in the README).';

export async function choosePrivileges(
  isolation: IsolationRequest,
  needs: PrivilegeNeeds | undefined,
  probes: PrivilegeProbes,
): Promise<Execution> {
  if (probes.isRoot) return { kind: 'in-process', reason: 'running as root' };
  if (needs === undefined) return { kind: 'in-process', reason: 'the Dockerfile is checked by the build' };
  // isolation none: the executor refuses RUN steps, so they need nothing.
  const run = needs.run && isolation !== 'none';
  if (!run) {
    return {
      kind: 'in-process',
      reason: needs.run
        ? 'isolation none: RUN steps are refused'
        : 'the Dockerfile has no RUN steps: no privileges needed',
    };
  }
  if (isolation === 'rootless') {
    return { kind: 'in-process', reason: 'isolation rootless: RUN steps in user namespaces' };
  }

  const sudo = await probes.sudo();
  if (sudo === true) {
    return {
      kind: 'sudo',
      reason: 'RUN steps need root: running the build as root with passwordless sudo (sudo -n)',
    };
  }
  if (isolation === 'chroot') {
    throw new PrivilegeError(
      `isolation chroot needs root, and sudo -n is not available (${sudo}): ${SUDO_HINT}; or set isolation: rootless`,
    );
  }
  const rootless = await probes.rootless();
  if (rootless === true) {
    return {
      kind: 'in-process',
      isolation: 'rootless',
      reason: `RUN steps need root, and sudo -n is not available (${sudo}): using rootless isolation (user namespaces)`,
    };
  }
  throw new PrivilegeError(
    `the Dockerfile has RUN steps, which need root or user namespaces: sudo -n is not available (${sudo}), and rootless isolation is not (${rootless}). ${SUDO_HINT}. ${JOB_CONTAINER_HINT}`,
  );
}
