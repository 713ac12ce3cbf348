/**
 * Who runs the build. RUN steps need root (chroot isolation) or user
 * namespaces (rootless). GitHub-hosted runners run the action as a non-root
 * user with passwordless sudo, so when the Dockerfile has RUN steps and the
 * process is not root, the executor is re-run as root under `sudo -n`
 * (privileged-build.ts); without sudo, rootless isolation when the kernel
 * allows it; otherwise a clear error before anything is pulled.
 */
import { readFile } from 'node:fs/promises';
import type { Isolation } from '../build/options.js';
import { parseDockerfile } from '../dockerfile/dockerfile.js';

export type Execution =
  /** build() in this process; `isolation` replaces options.isolation when set. */
  | { kind: 'in-process'; isolation?: Isolation; reason: string }
  /** build() in a child process run as root with `sudo -n`. */
  | { kind: 'sudo'; reason: string };

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

/**
 * Whether the Dockerfile has a RUN instruction (in any stage). Undefined when
 * it cannot be read or parsed: the build itself then reports the problem with
 * its file and line, so the caller runs it as it is.
 */
export async function dockerfileHasRun(file: string): Promise<boolean | undefined> {
  try {
    const df = parseDockerfile(await readFile(file, 'utf8'), file);
    return df.stages.some((s) => s.instructions.some((i) => i.kind === 'run'));
  } catch {
    return undefined;
  }
}

const SUDO_HINT =
  'GitHub-hosted runners allow passwordless sudo; on a self-hosted runner give the runner user passwordless sudo (NOPASSWD) or run it as root';

export async function choosePrivileges(
  isolation: Isolation,
  hasRun: boolean | undefined,
  probes: PrivilegeProbes,
): Promise<Execution> {
  if (probes.isRoot) return { kind: 'in-process', reason: 'running as root' };
  if (hasRun === undefined) return { kind: 'in-process', reason: 'the Dockerfile is checked by the build' };
  if (!hasRun) return { kind: 'in-process', reason: 'the Dockerfile has no RUN steps: no privileges needed' };
  if (isolation === 'none') return { kind: 'in-process', reason: 'isolation none: RUN steps are refused' };
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
    `the Dockerfile has RUN steps, which need root or user namespaces: sudo -n is not available (${sudo}), and rootless isolation is not (${rootless}). ${SUDO_HINT}. A Dockerfile without RUN needs neither.`,
  );
}
