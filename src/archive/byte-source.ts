/**
 * Pull-style reading over a Node Readable: exact reads for headers and
 * zero-copy slices of the incoming chunks for bodies. Holds at most one
 * incoming chunk (plus a header's worth when a header straddles chunks).
 */
import type { Readable } from 'node:stream';

export class ByteSource {
  private readonly it: AsyncIterator<unknown>;
  private buf: Buffer = Buffer.alloc(0);
  private off = 0;
  private ended = false;
  /** Bytes handed out so far. */
  position = 0;

  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    while (this.off >= this.buf.length) {
      if (this.ended) return false;
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        return false;
      }
      const v = r.value;
      this.buf = Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array);
      this.off = 0;
    }
    return true;
  }

  /** Bytes held and not handed out yet (all available without waiting). */
  get buffered(): number {
    return this.buf.length - this.off;
  }

  /** Exactly n bytes if they are already held (zero-copy), else undefined: the sync fast path of readExact. */
  take(n: number): Buffer | undefined {
    if (this.buf.length - this.off < n) return undefined;
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    this.position += n;
    return out;
  }

  /** Skips n bytes if they are already held; false (nothing skipped) otherwise. */
  skipHeld(n: number): boolean {
    if (this.buf.length - this.off < n) return false;
    this.off += n;
    this.position += n;
    return true;
  }

  /** Exactly n bytes; null on end of input before the first byte; throws `Truncated` if it ends midway. */
  async readExact(n: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null;
    if (this.buf.length - this.off >= n) {
      const out = this.buf.subarray(this.off, this.off + n);
      this.off += n;
      this.position += n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      if (!(await this.fill())) throw new Truncated(got, n);
      const take = Math.min(n - got, this.buf.length - this.off);
      this.buf.copy(out, got, this.off, this.off + take);
      this.off += take;
      got += take;
      this.position += take;
    }
    return out;
  }

  /** Up to `max` bytes (at least 1) from the current chunk; null at end of input. */
  async readSome(max: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null;
    const take = Math.min(max, this.buf.length - this.off);
    const out = this.buf.subarray(this.off, this.off + take);
    this.off += take;
    this.position += take;
    return out;
  }

  /** Skips n bytes; false if the input ended first. */
  async skip(n: number): Promise<boolean> {
    if (this.skipHeld(n)) return true;
    let left = n;
    while (left > 0) {
      const chunk = await this.readSome(left);
      if (!chunk) return false;
      left -= chunk.length;
    }
    return true;
  }

  /** Reads and discards everything left (so upstream digests see every byte). */
  async drain(): Promise<void> {
    while (await this.readSome(Number.MAX_SAFE_INTEGER)) {
      /* discard */
    }
  }

  /** Stops reading and releases the input stream. */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

export class Truncated extends Error {
  constructor(
    readonly got: number,
    readonly wanted: number,
  ) {
    super(`unexpected end of archive (got ${got} of ${wanted} bytes)`);
  }
}
