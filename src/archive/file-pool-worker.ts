/**
 * The body of a file-pool worker thread (see file-pool.ts). It runs as the
 * source text of `fileWorkerMain` (`new Worker(…, { eval: true })`), so a
 * bundled action needs no second file: the function must be self-contained
 * (no imports, no helpers of this module, builtins through
 * process.getBuiltinModule, no nested named functions a bundler could wrap).
 *
 * A batch is: `paths` (absolute, NUL-separated), `meta` (FIELDS numbers per
 * file) and `data` (the bodies back to back). Each file is created with
 * O_CREAT|O_EXCL|O_NOFOLLOW — the extractor sends only names it knows are
 * new in directories it created and that nothing removes while the batch is
 * out — written, then fchown/fchmod as flagged, futimes, close. The first
 * failure stops the batch and is reported with its index; `data` goes back
 * for reuse.
 */

/** Numbers per file in `meta`: mode, uid, gid, mtime (s), flags, body length. */
export const FIELDS = 6;
export const FLAG_CHOWN = 1;
export const FLAG_CHMOD = 2;

export interface FileBatch {
  id: number;
  paths: string;
  meta: Float64Array;
  data: ArrayBuffer;
}

export interface FileBatchResult {
  id: number;
  data: ArrayBuffer;
  /** How many files of the batch were written completely. */
  done: number;
  error?: { message: string; code?: string; errno?: number; syscall?: string };
}

export function fileWorkerMain(): void {
  const fs = process.getBuiltinModule('node:fs');
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  const c = fs.constants;
  const flags = c.O_WRONLY | c.O_CREAT | c.O_EXCL | c.O_NOFOLLOW;
  parentPort!.on('message', (batch: FileBatch) => {
    const paths = batch.paths.split('\0');
    const meta = batch.meta;
    const data = Buffer.from(batch.data);
    let off = 0;
    let done = 0;
    let error: FileBatchResult['error'];
    for (; done < paths.length; done++) {
      const m = done * 6;
      const mode = meta[m]! & 0o7777;
      const len = meta[m + 5]!;
      try {
        const fd = fs.openSync(paths[done]!, flags, mode);
        try {
          for (let w = 0; w < len; ) w += fs.writeSync(fd, data, off + w, len - w);
          if (meta[m + 4]! & 1) fs.fchownSync(fd, meta[m + 1]!, meta[m + 2]!);
          if (meta[m + 4]! & 2) fs.fchmodSync(fd, mode);
          fs.futimesSync(fd, meta[m + 3]!, meta[m + 3]!);
        } finally {
          fs.closeSync(fd);
        }
      } catch (e) {
        const x = e as NodeJS.ErrnoException;
        error = { message: String(x?.message ?? x), code: x?.code, errno: x?.errno, syscall: x?.syscall };
        break;
      }
      off += len;
    }
    const result: FileBatchResult = { id: batch.id, data: batch.data, done, error };
    parentPort!.postMessage(result, [batch.data]);
  });
}
