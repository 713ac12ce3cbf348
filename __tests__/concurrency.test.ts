import { describe, expect, test } from '@jest/globals';
import { forEachLimit } from '../src/concurrency.js';

/** A promise with its resolve/reject outside. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('forEachLimit', () => {
  test('runs every item once with at most `limit` in flight, passing the index', async () => {
    let running = 0;
    let peak = 0;
    const seen: [string, number][] = [];
    await forEachLimit(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 3, async (x, i) => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      seen.push([x, i]);
      running--;
    });
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 3],
      ['e', 4],
      ['f', 5],
      ['g', 6],
    ]);
  });

  test('no items, or a limit below one, still works', async () => {
    await expect(forEachLimit([], 4, async () => undefined)).resolves.toBeUndefined();
    const seen: number[] = [];
    await forEachLimit([1, 2], 0, async (x) => {
      seen.push(x);
    });
    expect(seen).toEqual([1, 2]);
  });

  test('after a failure: nothing new starts, the running calls are awaited, then the first error', async () => {
    const slow = deferred();
    const started: string[] = [];
    let settled = false;
    const all = forEachLimit(['slow', 'bad', 'later', 'later2'], 2, async (x) => {
      started.push(x);
      if (x === 'slow') await slow.promise;
      if (x === 'bad') throw new Error('bad item');
    }).finally(() => {
      settled = true;
    });
    all.catch(() => undefined);
    for (let i = 0; i < 5; i++) await tick();
    expect(settled).toBe(false); // 'slow' still runs
    expect(started).toEqual(['slow', 'bad']);
    slow.resolve();
    await expect(all).rejects.toThrow('bad item');
    expect(started).toEqual(['slow', 'bad']);
  });

  test('a synchronous throw counts as a failure of that call', async () => {
    await expect(
      forEachLimit([1], 1, (() => {
        throw new Error('sync');
      }) as () => Promise<void>),
    ).rejects.toThrow('sync');
  });
});
