import { Readable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { noReclaimer, periodicMinorGc, reclaiming } from '../../src/registry/reclaim.js';
import { readStream } from '../lab/fixtures.js';

describe('memory reclaimer', () => {
  test('reclaiming() passes bytes through unchanged and reports every chunk', async () => {
    const seen: number[] = [];
    const out = reclaiming(Readable.from([Buffer.from('abc'), Buffer.from('defg')]), {
      add: (n) => seen.push(n),
    });
    expect((await readStream(out)).toString()).toBe('abcdefg');
    expect(seen).toEqual([3, 4]);
  });

  test('errors of the source reach the consumer', async () => {
    const src = new Readable({
      read() {
        this.destroy(new Error('source broke'));
      },
    });
    const out = reclaiming(src, { add() {} });
    await expect(
      (async () => {
        for await (const _ of out) {
          // drain
        }
      })(),
    ).rejects.toThrow('source broke');
  });

  test('periodicMinorGc obtains gc() on this Node and does not leave it exposed', () => {
    const r = periodicMinorGc(1);
    expect(r).not.toBe(noReclaimer);
    r.add(10); // runs a scavenge
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(reclaiming(Readable.from([]), noReclaimer)).toBeInstanceOf(Readable);
  });
});
