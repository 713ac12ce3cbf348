/**
 * Isolation: the one interface between the executor and the machine it runs
 * on — where a stage's root filesystem lives, how a RUN executes in it, how
 * its changes are found. The executor never asks which kind it has.
 *
 *   const root = await isolation.createRoot('stage-0');
 *   await root.materialize(image, label);       // the files of image, in root.dir
 *   const step = await root.run(spec);           // the RUN, over a snapshot
 *   await writeLayer(step.changes);              // sourceRoot valid until…
 *   await step.commit();                         // …root.dir = state after the RUN
 *
 * Implementations: namespace-isolation.ts (a directory in the workspace per
 * stage; RUN in a chroot inside fresh namespaces as root, or in a user
 * namespace rootless; overlay or walk snapshots); in-place-isolation.ts (in
 * a container without namespaces: the container's own `/` is the root, RUN
 * runs directly in it, changes are found by a walk). Chosen in select.ts.
 */
import type { ChangeSet } from '../../archive/changes.js';
import type { Image } from '../../image/image.js';
import type { RunStep } from '../snapshot/run-step.js';
import type { NetworkMode, OutputStream, RunMountSpec, RunUser, SecretEnv, SecurityMode } from './sandbox.js';

/** One RUN, as the step describes it: the command and who runs it, not where. */
export interface RootRunSpec {
  /** Final argv: ['/bin/sh', '-c', '…'] or the exec form. */
  argv: string[];
  /** Exact environment, KEY=VALUE. */
  env: string[];
  /** Absolute working directory inside the root; created when missing. */
  cwd: string;
  user: RunUser;
  /** Added as HOME=… when env has none (as runc does). */
  home?: string;
  network: NetworkMode;
  onOutput?: (chunk: Buffer, stream: OutputStream) => void;
  signal?: AbortSignal;
  /** Files shown read-only at /dev/pipes/<name> (a `RUN <<EOF` script starting with `#!`). */
  pipes?: { name: string; content: string; mode: number }[];
  /**
   * RUN --mount, resolved by the step (steps/run-mounts.ts): every
   * isolation shows them at their targets for the RUN only; nothing
   * mounted, and no mount point it had to make, reaches the changes.
   */
  runMounts?: RunMountSpec[];
  /** Secrets given as environment variables: never on a command line, never in the changes. */
  secretEnv?: SecretEnv[];
  security?: SecurityMode;
}

/** The root filesystem of one stage. */
export interface StageRoot {
  /**
   * Host path of the root's files: COPY/ADD and WORKDIR write here, COPY
   * --from reads here, users and groups are read from here. Valid after
   * materialize().
   */
  readonly dir: string;
  /** Brings the files up to `image` (extracts the layers it lacks). */
  materialize(image: Image, label: string): Promise<void>;
  /** After a step wrote its change into dir itself (RUN commit, COPY): the files match `image`. */
  caughtUp(image: Image): void;
  /**
   * Why a step must not write at `rel` (root-relative, resolved), or
   * undefined. An in-place root keeps mount points and Kiln's own files out
   * of the build; a root in the workspace refuses nothing.
   */
  refuseWrite(rel: string): string | undefined;
  /** Files written directly (COPY/ADD, WORKDIR), after the fact: snapshot bookkeeping. */
  noteChanges(changes: ChangeSet): Promise<void>;
  /** Runs one RUN over a snapshot of the root; a non-zero exit is a RunCommandError. */
  run(spec: RootRunSpec): Promise<RunStep>;
  /** Nothing reads the files any more: frees them. Never rejects. */
  release(): Promise<void>;
}

export interface Isolation {
  /**
   * Stages build one at a time: every stage root is the same directory (the
   * in-place isolation's `/`), so creating a stage root means the stages
   * created before it are finished.
   */
  readonly oneStageAtATime: boolean;
  /**
   * A new, empty root. `source`: one that steps only read (an image's files
   * for COPY --from or a bind mount), never a stage's: it runs no RUN, and
   * the stage building now keeps its place.
   */
  createRoot(name: string, purpose?: 'stage' | 'source'): Promise<StageRoot>;
  /**
   * Starts choosing the RUN sandbox and snapshot mode in the background
   * (they are otherwise chosen by the first RUN that misses the cache).
   */
  warmUp(): void;
  /**
   * Ends what the isolation started (probes, mounts); the workspace is
   * removed after. `failed`: the build failed (an in-place root is emptied
   * then, so that the next build finds room).
   */
  dispose(outcome: { failed: boolean }): Promise<void>;
}
