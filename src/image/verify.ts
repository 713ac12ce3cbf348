/**
 * Verified streams: bytes pass through unchanged and the stream fails if
 * their digest or size differ from what was expected. A body longer than
 * expected fails as soon as the extra byte arrives (a hostile or broken
 * source cannot make us read without end); a short or corrupt body fails at
 * its end, before 'end' is emitted, so a consumer never sees a clean end of
 * bad content. Generic: used for pulled blobs, blobs re-read from disk and
 * blobs copied into outputs.
 */
import { createHash, type Hash } from 'node:crypto';
import { type Duplex, pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { algorithmOf, type Digest, digestOfHash } from './digest.js';

export interface Expected {
  /** Digest the bytes must have. */
  digest?: Digest;
  /** Exact byte count the bytes must have. */
  size?: number;
  /** What is being read, for messages ("layer sha256:… of docker.io/library/alpine"). */
  what?: string;
}

export class VerificationError extends Error {
  override name = 'VerificationError';
  constructor(
    message: string,
    readonly what: string,
    readonly expected: { digest?: Digest; size?: number },
    readonly actual: { digest?: Digest; size: number },
  ) {
    super(message);
  }
}

/** A pass-through Transform that checks digest and size of what flows through it. */
export class VerifyingStream extends Transform {
  private readonly hash: Hash | undefined;
  private count = 0;
  private result: Digest | undefined;

  constructor(
    private readonly expected: Expected,
    opts: { highWaterMark?: number } = {},
  ) {
    super({ highWaterMark: opts.highWaterMark ?? 1 << 20 });
    if (expected.size !== undefined && (!Number.isSafeInteger(expected.size) || expected.size < 0)) {
      throw new RangeError(`expected size must be a non-negative integer, got ${expected.size}`);
    }
    this.hash = expected.digest ? createHash(algorithmOf(expected.digest)) : undefined;
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.count;
  }

  /** The digest of the bytes (algorithm of the expected digest); after the end only. */
  get digest(): Digest | undefined {
    return this.result;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    const { size } = this.expected;
    if (size !== undefined && this.count > size) {
      cb(this.error(`more than the expected ${size} bytes arrived`));
      return;
    }
    this.hash?.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const { size, digest } = this.expected;
    if (size !== undefined && this.count !== size) {
      cb(this.error(`only ${this.count} of the expected ${size} bytes arrived (truncated)`));
      return;
    }
    if (this.hash && digest) {
      this.result = digestOfHash(this.hash, algorithmOf(digest));
      if (this.result !== digest) {
        cb(this.error(`its content has digest ${this.result}`));
        return;
      }
    }
    cb();
  }

  private error(problem: string): VerificationError {
    const what = this.expected.what ?? (this.expected.digest ? `blob ${this.expected.digest}` : 'stream');
    const want = [
      this.expected.digest && `digest ${this.expected.digest}`,
      this.expected.size !== undefined && `size ${this.expected.size}`,
    ]
      .filter(Boolean)
      .join(', ');
    return new VerificationError(
      `${what} failed verification: ${problem} (expected ${want}); the content is corrupt or was cut short and was not used — retry, and if it repeats, the source holds bad data`,
      what,
      { digest: this.expected.digest, size: this.expected.size },
      { digest: this.result, size: this.count },
    );
  }
}

/**
 * Returns a stream of `source`'s bytes that errors unless they match
 * `expected`. Errors of `source` reach the returned stream; destroying the
 * returned stream destroys `source`.
 */
export function verifyStream(source: Readable, expected: Expected): Readable {
  return pipeTo(source, new VerifyingStream(expected));
}

/** Pipes `source` into `transform` and returns the transform, with errors carried both ways. */
export function pipeTo<T extends Duplex>(source: Readable, transform: T): T {
  pipeline(source, transform, (err) => {
    // pipeline destroys every stream on error; make sure the consumer's side
    // carries the cause (not a bare premature-close) when the source failed.
    if (err && !transform.destroyed) transform.destroy(err);
  });
  return transform;
}
