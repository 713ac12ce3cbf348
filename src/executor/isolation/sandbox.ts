/**
 * RUN isolation: the interface the executor calls and the types around it.
 * Implementations: sandbox-namespace.ts (chroot as root, rootless in a user
 * namespace); selection: sandbox-select.ts.
 */

export type NetworkMode = 'default' | 'none' | 'host';
export type OutputStream = 'stdout' | 'stderr';

/** The identity a RUN runs as (see user.ts resolveUser). */
export interface RunUser {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: number[];
}

/**
 * Where the sandbox mounts things, as symlink-free paths relative to the
 * root (see sandbox-mount-points.ts). Each exists in the root. hosts and
 * resolvConf are absent when the image makes them impossible (e.g. /etc is a
 * file).
 */
export interface MountTargets {
  proc: string;
  dev: string;
  sys: string;
  hosts?: string;
  resolvConf?: string;
}

export interface RunSpec {
  /** The directory the process sees as `/`. */
  root: string;
  /** Final argv: ['/bin/sh', '-c', '…'] or the exec form; argv[0] is looked up in the image PATH. */
  argv: string[];
  /** Exact environment, KEY=VALUE (image ENV + ARGs in scope); nothing else is added. */
  env: string[];
  /** Absolute working directory inside the root; created (root-owned, 0755) when missing. */
  cwd: string;
  user: RunUser;
  network: NetworkMode;
  /** Live output, chunk by chunk. */
  onOutput?: (chunk: Buffer, stream: OutputStream) => void;
  signal?: AbortSignal;
  /** UTS hostname inside the RUN; default 'buildkitsandbox' (what BuildKit uses). */
  hostname?: string;
  /**
   * Mount points prepared by a snapshotter. When absent the sandbox creates
   * the missing ones itself and removes them afterwards.
   */
  mounts?: MountTargets;
  /**
   * Files shown read-only at /dev/pipes/<name> (outside any layer): the
   * script of a `RUN <<EOF` whose body starts with `#!`, as BuildKit does.
   */
  pipes?: { name: string; content: string; mode: number }[];
}

export interface RunResult {
  /** The command's exit status; 128+n when killed by signal n. */
  exitCode: number;
  /** Signal name when the command was killed by one. */
  signal?: string;
  /** Last lines of combined stdout/stderr (bounded). */
  tail: string[];
}

export type IsolationKind = 'chroot' | 'rootless';

export interface Sandbox {
  readonly kind: IsolationKind;
  run(spec: RunSpec): Promise<RunResult>;
}

/** The sandbox could not be set up or used (not: the command failed). */
export class SandboxError extends Error {
  constructor(
    message: string,
    /** Last lines of the setup's stderr, when there were any. */
    readonly detail: string[] = [],
  ) {
    super(detail.length ? `${message}\n${detail.map((l) => `  ${l}`).join('\n')}` : message);
    this.name = 'SandboxError';
  }
}

/** No RUN-capable isolation: why, and what the user can do. */
export interface SandboxUnavailable {
  unavailable: string;
}

export function isUnavailable(s: Sandbox | SandboxUnavailable): s is SandboxUnavailable {
  return 'unavailable' in s;
}
