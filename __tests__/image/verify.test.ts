import { PassThrough, Readable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { parseDigest } from '../../src/image/digest.js';
import { VerificationError, VerifyingStream, verifyStream } from '../../src/image/verify.js';
import { readStream } from '../lab/fixtures.js';
import { sha256Of } from './helpers.js';

const body = Buffer.from('hello, verified world\n'.repeat(1000));
const digest = parseDigest(sha256Of(body));

function chunks(buf: Buffer, size = 777): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('verifyStream', () => {
  test('passes the bytes through when digest and size match', async () => {
    const out = await readStream(verifyStream(chunks(body), { digest, size: body.length }));
    expect(out.equals(body)).toBe(true);
  });

  test('a different digest fails at the end, naming both digests', async () => {
    const bad = Buffer.from(body);
    bad[10] ^= 1;
    const err = await readStream(
      verifyStream(chunks(bad), { digest, size: body.length, what: 'layer X' }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(VerificationError);
    expect(err.message).toContain('layer X');
    expect(err.message).toContain(digest);
    expect(err.message).toContain(sha256Of(bad));
    expect(err.actual.size).toBe(body.length);
  });

  test('a truncated body fails and says so', async () => {
    const err = await readStream(
      verifyStream(chunks(body.subarray(0, 100)), { digest, size: body.length }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(VerificationError);
    expect(err.message).toMatch(/only 100 of the expected \d+ bytes.*truncated/);
  });

  test('a body longer than expected fails as soon as the extra bytes arrive', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1024;
        this.push(Buffer.alloc(1024));
      },
    });
    const err = await readStream(verifyStream(endless, { size: 4096 })).catch((e) => e);
    expect(err).toBeInstanceOf(VerificationError);
    expect(err.message).toContain('more than the expected 4096 bytes');
    expect(produced).toBeLessThan(1 << 22);
  });

  test('size alone or digest alone can be checked', async () => {
    await expect(readStream(verifyStream(chunks(body), { size: body.length }))).resolves.toHaveLength(
      body.length,
    );
    await expect(readStream(verifyStream(chunks(body), { digest }))).resolves.toHaveLength(body.length);
  });

  test('the empty body verifies against the empty digest', async () => {
    const empty = parseDigest(sha256Of(''));
    await expect(
      readStream(verifyStream(Readable.from([]), { digest: empty, size: 0 })),
    ).resolves.toHaveLength(0);
  });

  test('an error of the source reaches the consumer', async () => {
    const src = new PassThrough();
    const v = verifyStream(src, { digest });
    src.write('abc');
    setImmediate(() => src.destroy(new Error('connection reset')));
    await expect(readStream(v)).rejects.toThrow('connection reset');
  });

  test('destroying the verified stream destroys the source', async () => {
    const src = new PassThrough();
    const v = verifyStream(src, { digest });
    v.destroy();
    await new Promise((r) => setImmediate(r));
    expect(src.destroyed).toBe(true);
  });

  test('VerifyingStream reports digest and size after the end', async () => {
    const v = new VerifyingStream({ digest });
    await readStream(chunks(body).pipe(v));
    expect(v.digest).toBe(digest);
    expect(v.size).toBe(body.length);
  });

  test('rejects a nonsense expected size', () => {
    expect(() => new VerifyingStream({ size: -1 })).toThrow(RangeError);
  });
});
