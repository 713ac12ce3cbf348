/**
 * A content-addressed blob directory (`blobs/sha256/<hex>`, as an OCI
 * layout): every write goes to a unique temp file, is verified against its
 * digest and size, then renamed into place, so readers never see a partial
 * blob and two builds may write the same blob at once. Layers read from it
 * are verified on every open.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { explainWrite, isDiskFull } from '../fs/disk-full.js';
import type { Layer } from '../image/blob.js';
import { algorithmOf, type Digest, hexOf } from '../image/digest.js';
import { layerFromOpener } from '../image/layer.js';
import { VerificationError, VerifyingStream, verifyStream } from '../image/verify.js';
import { discardStream, FILE_CHUNK, writeViaTemp } from '../image/write-stream.js';
import { processStartTime } from '../interrupt.js';
import { isMountable } from '../registry/remote-blob.js';
import type { EntryLayer } from './entry.js';

export class BlobStore {
  readonly blobs: string;
  readonly tmp: string;

  constructor(readonly root: string) {
    this.blobs = path.join(root, 'blobs');
    this.tmp = path.join(root, 'tmp');
  }

  async init(): Promise<void> {
    await fs.mkdir(path.join(this.blobs, 'sha256'), { recursive: true });
    await fs.mkdir(this.tmp, { recursive: true });
    await this.removeOrphans();
  }

  /** Temp files of processes that are gone (a killed build): `<what>-<pid>-<random>`. */
  private async removeOrphans(): Promise<void> {
    for (const name of await fs.readdir(this.tmp).catch(() => [] as string[])) {
      const pid = Number(/^[\w]+-(\d+)-[0-9a-f]+/.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid !== process.pid && processStartTime(pid) === undefined) {
        await fs.rm(path.join(this.tmp, name), { recursive: true, force: true }).catch(() => undefined);
      }
    }
  }

  path(digest: Digest): string {
    return path.join(this.blobs, algorithmOf(digest), hexOf(digest));
  }

  /** A unique temp path in the store (same filesystem as the blobs, for rename). */
  tempPath(what: string): string {
    return path.join(this.tmp, `${what}-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  /** Whether the blob is there with the expected size; marks it used (for pruning). */
  async has(digest: Digest, size: number): Promise<boolean> {
    const file = this.path(digest);
    const st = await fs.stat(file).catch(() => undefined);
    if (!st?.isFile() || st.size !== size) return false;
    const now = new Date();
    await fs.utimes(file, now, now).catch(() => undefined);
    return true;
  }

  /** Streams `source` into the store, verified; a blob already there is kept. */
  async put(source: Readable, digest: Digest, size: number): Promise<void> {
    const file = this.path(digest);
    if (await this.has(digest, size)) {
      source.destroy();
      return;
    }
    await writeViaTemp(file, this.tempPath('blob'), (out) =>
      pipeline(source, new VerifyingStream({ digest, size, what: `blob ${digest}` }), out),
    );
  }

  /** A layer read from the store (verified on every open). */
  layer(info: EntryLayer): Layer {
    const file = this.path(info.digest);
    const what = `cached layer ${info.digest} (${file})`;
    const layer = layerFromOpener(info, () =>
      this.dropIfBad(
        verifyStream(createReadStream(file, { highWaterMark: FILE_CHUNK }), {
          digest: info.digest,
          size: info.size,
          what,
        }),
        file,
      ),
    );
    return Object.freeze({
      ...layer,
      openUncompressed: () =>
        verifyStream(layer.openUncompressed(), { digest: info.diffId, what: `uncompressed ${what}` }),
    });
  }

  /**
   * `layer` read from the store when it holds it; otherwise read from its
   * source and, on the first complete (verified) read, kept in the store.
   * Keeps `source` (where a push can mount it from) of a registry layer.
   */
  keep(layer: Layer): Layer {
    const file = this.path(layer.digest);
    const local = this.layer({
      mediaType: layer.mediaType,
      digest: layer.digest,
      diffId: layer.diffId,
      size: layer.size,
    });
    const open = (): Readable => (existsSync(file) ? local.open() : this.tee(layer.open(), file, layer.size));
    const kept = layerFromOpener(
      {
        mediaType: layer.mediaType,
        digest: layer.digest,
        diffId: layer.diffId,
        size: layer.size,
        ...(layer.urls ? { urls: layer.urls } : {}),
        ...(layer.annotations ? { annotations: layer.annotations } : {}),
      },
      open,
    );
    const extra = isMountable(layer) ? { source: layer.source } : {};
    return Object.freeze({
      ...kept,
      ...extra,
      openUncompressed: () =>
        verifyStream(kept.openUncompressed(), { digest: layer.diffId, what: `layer ${layer.digest}` }),
    });
  }

  /**
   * Passes `source` through, writing a copy that becomes `file` when the
   * source ends cleanly. A copy that fails is dropped and the read goes on,
   * except on a full disk: then the read fails, naming the filesystem.
   */
  private tee(source: Readable, file: string, size: number): Readable {
    const tmp = this.tempPath('tee');
    let out: WriteStream | undefined = createWriteStream(tmp, { highWaterMark: FILE_CHUNK });
    let failure: Error | undefined;
    /** The chunk's callback while the copy waits for 'drain'. */
    let waiting: (() => void) | undefined;
    const release = () => {
      const w = waiting;
      waiting = undefined;
      w?.();
    };
    let dropped: Promise<void> = Promise.resolve();
    const drop = (): Promise<void> => {
      if (out) {
        dropped = discardStream(out).then(() => fs.rm(tmp, { force: true }).catch(() => undefined));
        out = undefined;
      }
      return dropped;
    };
    // A full disk fails the read, once the partial copy is gone.
    const failed = (e: unknown) => {
      if (isDiskFull(e)) failure ??= explainWrite(e, file) as Error;
      const gone = drop();
      if (failure) void gone.then(release);
      else release();
    };
    out.on('error', failed);
    const pass = new Transform({
      highWaterMark: FILE_CHUNK,
      transform(chunk: Buffer, _enc, cb: TransformCallback) {
        if (failure) return void dropped.then(() => cb(failure));
        if (!out || out.write(chunk)) return cb(null, chunk);
        waiting = () => (failure ? cb(failure) : cb(null, chunk));
        out.once('drain', release);
      },
      flush(cb: TransformCallback) {
        const w = out;
        if (failure) return void dropped.then(() => cb(failure));
        if (!w) return cb();
        // The source verified digest and size before ending: the copy is complete
        // unless the copy itself failed or the reader went away meanwhile.
        w.end((err?: Error | null) => {
          const keep = async () => {
            if (err || out !== w || (await fs.stat(tmp)).size !== size)
              throw err ?? new Error('incomplete copy');
            await fs.rename(tmp, file);
          };
          keep().then(
            () => cb(),
            (e: unknown) => {
              if (isDiskFull(e)) failure ??= explainWrite(e, file) as Error;
              void drop().then(() => cb(failure));
            },
          );
        });
      },
    });
    pass.on('error', () => void drop());
    pass.on('close', () => {
      if (!pass.writableFinished) void drop();
    });
    source.on('error', (e) => {
      void drop();
      pass.destroy(e);
    });
    source.pipe(pass);
    return pass;
  }

  /** Removes a stored blob that fails verification (before the reader sees the error), so the next build fetches it again. */
  private dropIfBad(stream: Readable, file: string): Readable {
    const out = new PassThrough({ highWaterMark: FILE_CHUNK });
    stream.on('error', (e) => {
      const rm = e instanceof VerificationError ? fs.rm(file, { force: true }) : Promise.resolve();
      rm.catch(() => undefined).finally(() => out.destroy(e));
    });
    out.on('close', () => {
      if (!stream.destroyed) stream.destroy();
    });
    stream.pipe(out);
    return out;
  }
}
