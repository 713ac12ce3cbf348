/**
 * One RUN end to end: prepare the snapshot, run the command in the sandbox,
 * collect the ChangeSet; everything released on failure.
 *
 *   const step = await runStep({ sandbox, snapshotter, spec, home: user.home });
 *   await writeLayer(step.changes);   // sourceRoot valid until commit/discard
 *   await step.commit();
 */
import type { ChangeSet } from '../../archive/changes.js';
import { runMountPoints } from '../isolation/mount-placement.js';
import type { RunSpec, Sandbox } from '../isolation/sandbox.js';
import type { Snapshotter } from './snapshot.js';

export class RunCommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number,
    /** Last output lines. */
    readonly tail: string[],
    readonly signal?: string,
  ) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    const cmd = argv.length >= 3 && argv[1] === '-c' ? argv.slice(2).join(' ') : JSON.stringify(argv);
    const last = tail.length ? `\nlast output:\n${tail.map((l) => `  ${l}`).join('\n')}` : '';
    super(`RUN ${cmd} ${how}${last}`);
    this.name = 'RunCommandError';
  }
}

export interface RunStepInput {
  sandbox: Pick<Sandbox, 'run'>;
  snapshotter: Snapshotter;
  spec: Omit<RunSpec, 'root' | 'mounts'>;
  /** Added as HOME=… when the env has no HOME (as runc does): ResolvedUser.home. */
  home?: string;
}

export interface RunStep {
  changes: ChangeSet;
  /** Milliseconds: snapshot preparation, the command, collecting the changes. */
  timings: { prepareMs: number; runMs: number; finishMs: number };
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export async function runStep(input: RunStepInput): Promise<RunStep> {
  const env = [...input.spec.env];
  if (input.home !== undefined && !env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${input.home}`);
  const t0 = performance.now();
  const prepared = await input.snapshotter.prepare(await runMountPoints(input.spec.runMounts ?? []));
  const t1 = performance.now();
  try {
    const result = await input.sandbox.run({
      ...input.spec,
      env,
      root: prepared.root,
      mounts: prepared.mounts,
    });
    if (result.exitCode !== 0) {
      throw new RunCommandError(input.spec.argv, result.exitCode, result.tail, result.signal);
    }
    const t2 = performance.now();
    const changes = await prepared.finish();
    const timings = { prepareMs: t1 - t0, runMs: t2 - t1, finishMs: performance.now() - t2 };
    return { changes, timings, commit: () => prepared.commit(), discard: () => prepared.discard() };
  } catch (e) {
    await prepared.discard().catch(() => undefined);
    throw e;
  }
}
