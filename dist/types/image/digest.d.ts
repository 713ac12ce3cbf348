/**
 * Content digests (`sha256:<64 hex>`). A digest is validated before it goes
 * into a URL or a path: parseDigest() is the only way to make a Digest.
 */
import { type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
declare const digestBrand: unique symbol;
/** A validated digest string. */
export type Digest = string & {
    readonly [digestBrand]: true;
};
export declare class DigestError extends Error {
    name: string;
}
export declare function parseDigest(text: string): Digest;
export declare function isDigest(text: string): text is Digest;
export declare function algorithmOf(d: Digest): 'sha256' | 'sha512';
export declare function hexOf(d: Digest): string;
export declare function sha256(data: string | Uint8Array): Digest;
/** Wraps a finished hash as a Digest. */
export declare function digestOfHash(hash: Hash, alg?: 'sha256' | 'sha512'): Digest;
/**
 * A pass-through stream that hashes and counts what flows through it.
 * `digest` and `size` are final after 'end'/'finish'.
 */
export declare class DigestingStream extends Transform {
    private readonly alg;
    private readonly hash;
    size: number;
    private result;
    constructor(alg?: 'sha256' | 'sha512');
    _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void;
    _flush(cb: TransformCallback): void;
    get digest(): Digest;
}
export {};
