/**
 * RUN isolation: the interface the executor calls and the types around it.
 * Implementations: sandbox-namespace.ts (chroot as root, rootless in a user
 * namespace); selection: sandbox-select.ts.
 */

import type { NetworkMode } from '../options.js';

export type { NetworkMode };
/** RUN --security: sandbox (Docker's default capabilities, masked /proc, read-only /sys) or insecure. */
export type SecurityMode = 'sandbox' | 'insecure';
export type OutputStream = 'stdout' | 'stderr';

/**
 * A RUN --mount as an isolation sees it: what the step resolved it to on
 * the host. `target` is absolute in the image (WORKDIR applied); symlinks in
 * the image are followed inside the root.
 */
export type RunMountSpec =
  /** A host directory, file or socket shown at target (bind, cache and ssh mounts). */
  | { kind: 'bind'; target: string; source: string; readonly: boolean }
  /** A fresh tmpfs (size in bytes; none: the kernel's default, half the RAM). */
  | { kind: 'tmpfs'; target: string; readonly: boolean; sizeBytes?: number }
  /**
   * A read-only file made for this RUN from `data` (a secret): it lives in
   * memory in the RUN's own mount namespace, never on disk, never in a layer.
   */
  | { kind: 'file'; target: string; data: Buffer; mode: number; uid: number; gid: number };

/** An environment variable whose value is a secret (RUN --mount=type=secret,env=NAME). */
export interface SecretEnv {
  name: string;
  value: Buffer;
}

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
  /**
   * Where each RunSpec.runMounts entry goes, in the same order. A nested
   * one lies below another RUN mount (or /dev…): its mount point is made
   * inside that mount by the sandbox, not in the root.
   */
  run?: { rel: string; nested: boolean }[];
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
  /** RUN --mount, in the order written; placed as `mounts.run` says (planned with the other mount points). */
  runMounts?: RunMountSpec[];
  /** Secret values given to the command as environment variables (never on a command line). */
  secretEnv?: SecretEnv[];
  /** Default 'sandbox'. */
  security?: SecurityMode;
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
