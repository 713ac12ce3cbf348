/**
 * Stage scheduling: each planned stage starts as soon as the stages it
 * depends on are finished, STAGE_CONCURRENCY at a time (one at a time when
 * the isolation has one root for all, Isolation.oneStageAtATime). The first failure
 * aborts the others (their RUNs are killed) and is the error thrown.
 */
import type { PlannedStage } from '../dockerfile/stages.js';

/** Stages build as soon as what they depend on is built, two at a time (the cores). */
export const STAGE_CONCURRENCY = 2;

export interface Scheduled<T> {
  /** Every finished stage by index (in finishing order). */
  finished: Map<number, T>;
  /** The last planned stage (the target). */
  last: T | undefined;
}

/**
 * Runs `buildOne` for each stage in dependency order. `finished` is filled
 * before a dependent stage starts, so `buildOne` may read it for the stages
 * its stage depends on. `abort` is called once, with the first failure.
 */
export async function scheduleStages<T>(
  stages: readonly PlannedStage[],
  buildOne: (planned: PlannedStage, finished: ReadonlyMap<number, T>) => Promise<T>,
  abort: { signal: AbortSignal; abort(reason: Error): void },
  concurrency = STAGE_CONCURRENCY,
): Promise<Scheduled<T>> {
  const finished = new Map<number, T>();
  const done = new Map<number, Promise<T>>();
  let failure: { error: unknown } | undefined;
  let running = 0;
  const waiters: (() => void)[] = [];
  const slot = async () => {
    while (running >= concurrency) await new Promise<void>((r) => waiters.push(r));
    running++;
  };
  const release = () => {
    running--;
    waiters.shift()?.();
  };
  for (const planned of stages) {
    const p = (async () => {
      await Promise.all(planned.dependsOn.map((d) => done.get(d)));
      abort.signal.throwIfAborted();
      await slot();
      try {
        abort.signal.throwIfAborted();
        const stage = await buildOne(planned, finished);
        finished.set(planned.index, stage);
        return stage;
      } finally {
        release();
      }
    })();
    p.catch((error: unknown) => {
      if (!failure) {
        failure = { error };
        abort.abort(new Error('another stage failed'));
      }
    });
    done.set(planned.index, p);
  }
  await Promise.allSettled(done.values());
  if (failure) throw failure.error;
  const last = stages[stages.length - 1];
  return { finished, last: last ? finished.get(last.index) : undefined };
}
