/**
 * The smallest tar writer the docker-archive output needs: regular files
 * only, names under 100 bytes, streamed with backpressure. ustar headers;
 * sizes of 8 GiB and more in GNU base-256. Private to src/image: the full
 * tar writer lives in src/archive (to be deduplicated by the integrator).
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

const BLOCK = 512;
const ZEROES = Buffer.alloc(BLOCK * 2);

export class TarLiteWriter {
  private failed: Error | undefined;

  constructor(private readonly out: Writable) {
    out.on('error', (e) => {
      this.failed ??= e;
    });
  }

  /** Adds a regular file of exactly `size` bytes from `content`. */
  async addFile(name: string, size: number, content: Readable | Buffer, mode = 0o644): Promise<void> {
    await this.write(ustarHeader(name, size, mode));
    let written = 0;
    if (Buffer.isBuffer(content)) {
      written = content.length;
      if (written === size) await this.write(content);
    } else {
      for await (const chunk of content as AsyncIterable<Buffer>) {
        written += chunk.length;
        if (written > size) break;
        await this.write(chunk);
      }
    }
    if (written !== size) {
      if (!Buffer.isBuffer(content)) content.destroy();
      throw new Error(`tar entry ${name}: expected ${size} bytes, the source gave ${written}`);
    }
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad) await this.write(ZEROES.subarray(0, pad));
  }

  /** Writes the end-of-archive blocks and ends the output. */
  async finish(): Promise<void> {
    await this.write(ZEROES);
    this.out.end();
    if (!this.out.writableFinished) await once(this.out, 'finish');
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.out.write(chunk)) {
      await this.drained();
      if (this.failed) throw this.failed;
    }
  }

  private drained(): Promise<void> {
    const { out } = this;
    return new Promise((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        out.off('error', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
      out.on('error', done);
    });
  }
}

/** A ustar header for a regular file (exported for tests of the size encoding). */
export function ustarHeader(name: string, size: number, mode = 0o644): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length === 0 || nameBytes.length > 99) {
    throw new Error(`tar entry name "${name}" must be 1 to 99 bytes`);
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`tar entry ${name}: invalid size ${size}`);
  const h = Buffer.alloc(BLOCK);
  nameBytes.copy(h, 0);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  if (size < 8 ** 11) {
    octal(h, 124, 12, size);
  } else {
    // GNU base-256: high bit set, big-endian binary in the remaining bytes.
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    h[124] = 0x80;
  }
  octal(h, 136, 12, 0); // mtime: the epoch, for reproducible archives
  h.fill(0x20, 148, 156); // checksum placeholder: spaces
  h[156] = 0x30; // '0': regular file
  h.write('ustar\u000000', 257, 'latin1');
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return h;
}

function octal(h: Buffer, offset: number, length: number, value: number): void {
  h.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, 'latin1');
}
