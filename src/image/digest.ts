/**
 * Content digests (`sha256:<64 hex>`). A digest is validated before it goes
 * into a URL or a path: parseDigest() is the only way to make a Digest.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

declare const digestBrand: unique symbol;
/** A validated digest string. */
export type Digest = string & { readonly [digestBrand]: true };

const ALGORITHMS: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export class DigestError extends Error {
  override name = 'DigestError';
}

export function parseDigest(text: string): Digest {
  const colon = text.indexOf(':');
  const alg = colon > 0 ? text.slice(0, colon) : '';
  const hex = text.slice(colon + 1);
  const re = ALGORITHMS[alg];
  if (!re) {
    throw new DigestError(
      `invalid digest "${text}": expected sha256:<64 lowercase hex> (or sha512:<128 hex>)`,
    );
  }
  if (!re.test(hex)) {
    throw new DigestError(
      `invalid digest "${text}": the ${alg} hex part must be ${alg === 'sha256' ? 64 : 128} lowercase hex characters`,
    );
  }
  return text as Digest;
}

export function isDigest(text: string): text is Digest {
  try {
    parseDigest(text);
    return true;
  } catch {
    return false;
  }
}

export function algorithmOf(d: Digest): 'sha256' | 'sha512' {
  return d.slice(0, d.indexOf(':')) as 'sha256' | 'sha512';
}

export function hexOf(d: Digest): string {
  return d.slice(d.indexOf(':') + 1);
}

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
}

/** Wraps a finished hash as a Digest. */
export function digestOfHash(hash: Hash, alg: 'sha256' | 'sha512' = 'sha256'): Digest {
  return `${alg}:${hash.digest('hex')}` as Digest;
}

/**
 * A pass-through stream that hashes and counts what flows through it.
 * `digest` and `size` are final after 'end'/'finish'.
 */
export class DigestingStream extends Transform {
  private readonly hash: Hash;
  size = 0;
  private result: Digest | undefined;

  constructor(private readonly alg: 'sha256' | 'sha512' = 'sha256') {
    super();
    this.hash = createHash(alg);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.result = digestOfHash(this.hash, this.alg);
    cb();
  }

  get digest(): Digest {
    if (!this.result) throw new Error('DigestingStream: digest read before the stream ended');
    return this.result;
  }
}
