import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ParallelGzip } from '../../src/image/parallel-gzip.js';
import { readStream } from '../lab/fixtures.js';
import { noise, removeDir, tempDir } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => removeDir(dir));

/** Text with long-range repeats (back-references across block boundaries) and noise. */
function sample(size: number): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const p =
      i % 7 === 0
        ? noise(5000 + (i % 13) * 300)
        : Buffer.from(`line ${i % 97} of a repeated text block\n`.repeat(40));
    parts.push(p);
    n += p.length;
  }
  return Buffer.concat(parts).subarray(0, size);
}

function gzipOf(
  input: Buffer,
  opts: { chunk?: number; blockSize?: number; parallel?: number; level?: number },
): Promise<Buffer> {
  const chunk = opts.chunk ?? 65536;
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(input.subarray(i, i + chunk));
  return readStream(
    Readable.from(parts).pipe(
      new ParallelGzip({ level: opts.level ?? 6, blockSize: opts.blockSize, parallel: opts.parallel }),
    ),
  );
}

describe('ParallelGzip', () => {
  test.each([0, 1, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 100_000, 1_000_000])(
    '%i bytes in 32 KiB blocks: one valid gzip member that gunzip and the gzip program read back',
    async (size) => {
      const input = sample(size);
      const gz = await gzipOf(input, { blockSize: 32 * 1024, chunk: 7777 });
      expect(gunzipSync(gz).equals(input)).toBe(true);
      const file = join(dir, `t-${size}.gz`);
      writeFileSync(file, gz);
      expect(execFileSync('gzip', ['-dc', file]).equals(input)).toBe(true);
      // gzip -l reads the trailer: the size field must be the input's.
      expect(execFileSync('gzip', ['-l', file]).toString()).toContain(String(size));
    },
  );

  test('output depends on the input only: not on chunking or on how many blocks run at once', async () => {
    const input = sample(3_000_000);
    const a = await gzipOf(input, { blockSize: 256 * 1024, chunk: 1000, parallel: 1 });
    const b = await gzipOf(input, { blockSize: 256 * 1024, chunk: 1 << 20, parallel: 4 });
    const c = await gzipOf(input, { blockSize: 256 * 1024, chunk: 65536, parallel: 2 });
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(true);
  });

  test('blocks cost little ratio: within 1% of one zlib stream at the same level', async () => {
    const input = sample(4_000_000);
    const single = (await import('node:zlib')).gzipSync(input, { level: 6 });
    const parallel = await gzipOf(input, {});
    expect(parallel.length).toBeLessThan(single.length * 1.01);
  });

  test('the level is honoured', async () => {
    const input = sample(2_000_000);
    const fast = await gzipOf(input, { level: 1 });
    const best = await gzipOf(input, { level: 9 });
    expect(best.length).toBeLessThan(fast.length);
    expect(gunzipSync(best).equals(input)).toBe(true);
  });

  test('a failing source fails the pipeline', async () => {
    const src = new Readable({ read() {} });
    src.push(sample(3_000_000));
    setImmediate(() => src.destroy(new Error('source broke')));
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await expect(pipeline(src, new ParallelGzip({ level: 6 }), sink)).rejects.toThrow('source broke');
  });
});
