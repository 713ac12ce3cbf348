/**
 * Creates small new files on worker threads while the extractor goes on
 * parsing. Why: creating a file is a handful of syscalls (open with O_EXCL,
 * write, futimes, close) whose kernel time equals GNU tar's whole run; done
 * from the one JavaScript thread, on top of parsing, extraction took 1.5-2x
 * GNU tar's time. Batches of files (bodies copied into one transferred
 * buffer, ~1 MiB) go to two threads that make the same synchronous calls, so
 * no thread pays a hand-off per syscall (see extract.ts) and the kernel work
 * runs on both cores.
 *
 * What keeps it safe is the extractor's side of the contract: it sends only
 * files whose name is new (no entry of the layer wrote it) in a directory the
 * extraction created itself, and it calls drain() before anything that
 * removes, replaces or reads back what a batch may still create. Nothing else
 * changes a directory a queued file goes into, so the components of its path
 * stay the real directories they were when the name was resolved.
 *
 * Every batch settles before close() returns, also after a failure: a caller
 * that removes the rootfs on error never races a worker still writing there.
 */
import { Worker } from 'node:worker_threads';
import { explainWrite } from '../fs/disk-full.js';
import { ExtractError } from './errors.js';
import {
  FIELDS,
  type FileBatch,
  type FileBatchResult,
  FLAG_CHMOD,
  FLAG_CHOWN,
  fileWorkerMain,
} from './file-pool-worker.js';

/** Bytes of bodies per batch; bigger files are not pooled. */
export const BATCH_BYTES = 1 << 20;
const BATCH_FILES = 1024;
/** Batches in flight per worker (one being written, one queued). */
const PER_WORKER = 2;

export interface PooledFile {
  /** Absolute path. */
  path: string;
  /** Entry name, for errors. */
  entry: string;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  chown: boolean;
  chmod: boolean;
  size: number;
}

class Batch {
  readonly paths: string[] = [];
  readonly entries: string[] = [];
  readonly meta = new Float64Array(BATCH_FILES * FIELDS);
  used = 0;

  constructor(readonly data: Buffer) {}

  get count(): number {
    return this.paths.length;
  }

  fits(size: number): boolean {
    return this.count < BATCH_FILES && this.used + size <= this.data.length;
  }
}

interface Slot {
  worker: Worker;
  inFlight: number;
}

export class FilePool {
  private readonly slots: Slot[] = [];
  private readonly sent = new Map<number, { entries: string[]; paths: string[]; slot: Slot }>();
  private readonly spare: ArrayBuffer[] = [];
  private batch: Batch | undefined;
  private nextId = 0;
  private failure: Error | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;

  /** Starts the threads; throws (with none left running) when one cannot be started. */
  constructor(workers: number) {
    const source = `(${fileWorkerMain.toString()})()`;
    try {
      for (let i = 0; i < Math.max(1, workers); i++) this.slots.push(this.start(source));
    } catch (e) {
      this.closed = true;
      for (const s of this.slots) void s.worker.terminate();
      throw e;
    }
  }

  private start(source: string): Slot {
    // Small heaps: a worker holds one batch's paths at a time (peak RSS counts every thread).
    const worker = new Worker(source, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
    });
    const slot: Slot = { worker, inFlight: 0 };
    worker.on('message', (r: FileBatchResult) => this.settled(r));
    worker.on('error', (e) => this.fail(new ExtractError(`file worker failed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new ExtractError(`file worker exited with code ${code}`));
      slot.inFlight = 0;
      this.wake();
    });
    return slot;
  }

  /** Whether anything is queued or still being written. */
  get busy(): boolean {
    return this.batch !== undefined || this.sent.size > 0;
  }

  /**
   * Room for the next file's `size`-byte body in the current batch: fill it,
   * then commit() the file. A promise only when a batch had to be sent and
   * every worker is busy. Throws the first failure of any earlier file.
   */
  slot(size: number): Buffer | Promise<Buffer> {
    this.check();
    const b = this.batch;
    if (b?.fits(size)) return b.data.subarray(b.used, b.used + size);
    return this.newBatch(size);
  }

  private async newBatch(size: number): Promise<Buffer> {
    if (this.batch) await this.flush();
    await this.room();
    const reuse = this.spare.pop();
    const b = new Batch(reuse ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(BATCH_BYTES));
    this.batch = b;
    return b.data.subarray(0, size);
  }

  /** Queues the file whose body was just written into slot(file.size). */
  commit(file: PooledFile): void {
    const b = this.batch!;
    const m = b.count * FIELDS;
    b.meta[m] = file.mode;
    b.meta[m + 1] = file.uid;
    b.meta[m + 2] = file.gid;
    b.meta[m + 3] = file.mtime;
    b.meta[m + 4] = (file.chown ? FLAG_CHOWN : 0) | (file.chmod ? FLAG_CHMOD : 0);
    b.meta[m + 5] = file.size;
    b.used += file.size;
    b.paths.push(file.path);
    b.entries.push(file.entry);
  }

  /** Sends what is queued and waits until every file is written; throws the first failure. */
  async drain(): Promise<void> {
    if (this.batch) await this.flush();
    while (this.sent.size > 0 && !this.failure) await this.next();
    this.check();
  }

  /** Waits for every batch sent to settle (whatever happened), then stops the workers. */
  async close(): Promise<void> {
    this.batch = undefined;
    while (this.sent.size > 0 && this.slots.some((s) => s.inFlight > 0)) await this.next();
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  private async flush(): Promise<void> {
    const b = this.batch!;
    this.batch = undefined;
    await this.room();
    const slot = this.slots.reduce((a, s) => (s.inFlight < a.inFlight ? s : a));
    const id = this.nextId++;
    const data = b.data.buffer as ArrayBuffer;
    const msg: FileBatch = {
      id,
      paths: b.paths.join('\0'),
      meta: b.meta.subarray(0, b.count * FIELDS),
      data,
    };
    slot.inFlight++;
    this.sent.set(id, { entries: b.entries, paths: b.paths, slot });
    slot.worker.postMessage(msg, [data, msg.meta.buffer as ArrayBuffer]);
  }

  /** Waits until a worker can take another batch. */
  private async room(): Promise<void> {
    while (this.slots.every((s) => s.inFlight >= PER_WORKER) && !this.failure) await this.next();
    this.check();
  }

  private next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private settled(r: FileBatchResult): void {
    const sent = this.sent.get(r.id);
    if (!sent) return;
    this.sent.delete(r.id);
    sent.slot.inFlight--;
    this.spare.push(r.data);
    if (r.error) {
      const e = r.error;
      const failed = Object.assign(new Error(e.message), {
        code: e.code,
        errno: e.errno,
        syscall: e.syscall,
      });
      const cause = explainWrite(failed, sent.paths[r.done]!);
      this.fail(new ExtractError((cause as Error).message, { entry: sent.entries[r.done], cause }));
    }
    this.wake();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }
}
