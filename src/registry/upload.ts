/**
 * Uploading one blob, in go-containerregistry's order: HEAD (already
 * there?), cross-repository mount when a source repository on the same
 * registry is known (a refused mount, 202, continues as an upload in the
 * session it opened), then a monolithic PUT or a chunked upload (PATCH with
 * Content-Range, always following the latest Location, then PUT ?digest=).
 *
 * Each step is retried on its own: HEAD, POST and the closing PUT by the
 * transport; a request that carries data and fails is followed by a look at
 * the upload's status (GET on its Location: the `Range` the registry holds)
 * and the upload resumes from that offset. A session the registry dropped
 * or refuses to resume (distribution 2.8 cancels one whose offset moved
 * under a broken request) starts over in a new session; before that, and
 * before a failure is reported, a HEAD checks whether the registry stored
 * the blob after all. Failures without progress are bounded by the policy.
 */
import type { Readable } from 'node:stream';
import type { Blob } from '../image/blob.js';
import type { Reference } from '../image/reference.js';
import type { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { reclaiming } from './reclaim.js';
import { backoffDelay, isRecoverable } from './retry.js';
import { header, type RegistryResponse, type RegistryTransport } from './transport.js';

export type UploadOutcome = 'exists' | 'mounted' | 'uploaded';

export interface UploadOptions {
  /** Token scopes of the push session (target pull,push and mount sources' pull). */
  scopes: string[];
  /** Repositories on the same registry that may hold the blob. */
  mountFrom?: string[];
  /** Chunked upload with chunks of this size for blobs larger than it. */
  chunkSize?: number;
}

function withDigest(url: string, digest: string): string {
  const u = new URL(url);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/** `Range: 0-N` of an upload status → bytes held (N + 1; "0-0" and none read as 0). */
export function uploadedBytes(range: string | undefined): number | undefined {
  if (range === undefined) return undefined;
  const m = /^(?:bytes=)?0-(\d+)$/.exec(range.trim());
  if (!m) return undefined;
  const last = Number(m[1]);
  return last === 0 ? 0 : last + 1;
}

/** Reads exactly `n` bytes at a time from one stream of the blob, opened at an offset. */
class BlobCursor {
  private leftover: Buffer | undefined;
  private readonly it: AsyncIterator<Buffer>;
  private readonly source: Readable;

  /** `skipping`: bytes of the stream the registry already holds. */
  constructor(
    open: () => Readable,
    private skipping: number,
  ) {
    this.source = open();
    this.it = this.source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async *take(n: number): AsyncGenerator<Buffer> {
    let want = n;
    while (want > 0) {
      let chunk = this.leftover;
      this.leftover = undefined;
      if (!chunk) {
        const next = await this.it.next();
        if (next.done) throw new Error(`the blob's stream ended ${want} bytes early`);
        chunk = next.value;
      }
      if (this.skipping > 0) {
        const k = Math.min(this.skipping, chunk.length);
        this.skipping -= k;
        if (k === chunk.length) continue;
        chunk = chunk.subarray(k);
      }
      if (chunk.length > want) {
        this.leftover = chunk.subarray(want);
        chunk = chunk.subarray(0, want);
      }
      want -= chunk.length;
      yield chunk;
    }
  }

  close(): void {
    this.source.destroy();
  }
}

/** The registry no longer has (or will not continue) this upload session: start a new one. */
class SessionLost extends Error {
  /** The registry accepted some of the blob in this session before it was lost. */
  progressed = false;
  constructor(readonly error: RegistryError) {
    super(error.message);
  }
}

/**
 * The registry dropped the session, or will not go on with it: distribution
 * 2.8 answers 404 BLOB_UPLOAD_INVALID (and cancels the upload) when a broken
 * request left it holding other bytes than the client's Location says.
 */
function sessionGone(e: RegistryError): boolean {
  return (
    e.failure === 'status' &&
    (e.status === 404 || e.hasCode('BLOB_UPLOAD_UNKNOWN') || e.hasCode('BLOB_UPLOAD_INVALID'))
  );
}

class BlobUpload {
  private readonly t: RegistryTransport;
  private readonly operation: string;
  private readonly common: { scopes: string[]; repository: string; operation: string };

  constructor(
    private readonly client: RegistryClient,
    private readonly repo: Reference,
    private readonly blob: Blob,
    private readonly opts: UploadOptions,
  ) {
    this.t = client.transport(repo.registry);
    this.operation = `upload blob ${blob.digest}`;
    this.common = { scopes: opts.scopes, repository: repo.repository, operation: this.operation };
  }

  /**
   * Sessions lost before the registry accepted any of the blob count against
   * the policy's attempts; those lost later do not (a chunked upload through
   * a flaky network loses many), within twice the attempts in all.
   */
  async run(): Promise<UploadOutcome> {
    if (await this.exists()) return 'exists';
    const { policy } = this.client;
    let barren = 0;
    for (let session = 1; ; session++) {
      try {
        return await this.inSession(session === 1);
      } catch (e) {
        if (!(e instanceof SessionLost)) throw e;
        if (await this.exists()) return 'uploaded';
        if (!e.progressed) barren++;
        if (barren >= policy.attempts || session >= 2 * policy.attempts) {
          throw e.error.with({
            detail: this.gaveUp(e.error, `${session} upload sessions`),
            retryable: false,
          });
        }
        const delay = backoffDelay(policy, Math.max(1, barren));
        this.client.logger.warn(
          `${this.operation} to ${this.repo.name}: ${e.error.message}; starting a new upload in ${delay} ms (session ${session + 1})`,
        );
        await policy.sleep(delay);
      }
    }
  }

  private gaveUp(e: RegistryError, what: string): string {
    return [e.detail, `gave up after ${what}`].filter(Boolean).join('; ');
  }

  private async exists(): Promise<boolean> {
    const head = await this.t.send({
      ...this.common,
      method: 'HEAD',
      path: `/v2/${this.repo.repository}/blobs/${this.blob.digest}`,
      expect: [200, 404],
      redirect: true,
    });
    await head.body.dump();
    return head.status === 200;
  }

  private location(res: RegistryResponse, method: string): string {
    const loc = header(res, 'location');
    if (!loc) {
      throw new RegistryError({
        registry: this.repo.registry,
        repository: this.repo.repository,
        operation: this.operation,
        failure: 'invalid-response',
        method,
        url: res.url,
        status: res.status,
        detail: 'the registry answered without a Location header',
      });
    }
    return new URL(loc, res.url).toString();
  }

  private verifyStored(res: RegistryResponse): void {
    const stored = header(res, 'docker-content-digest');
    if (stored && stored !== this.blob.digest) {
      throw new RegistryError({
        registry: this.repo.registry,
        repository: this.repo.repository,
        operation: this.operation,
        failure: 'digest-mismatch',
        method: 'PUT',
        url: res.url,
        status: res.status,
        detail: `the registry stored ${stored}`,
      });
    }
  }

  /** Opens a session (a mount when a source is known: 201 means done). */
  private async open(mount: boolean): Promise<{ mounted: true } | { mounted: false; url: string }> {
    const from = mount ? (this.opts.mountFrom ?? []).find((r) => r !== this.repo.repository) : undefined;
    const q = from ? `?${new URLSearchParams({ mount: this.blob.digest, from })}` : '';
    const res = await this.t.send({
      ...this.common,
      method: 'POST',
      path: `/v2/${this.repo.repository}/blobs/uploads/${q}`,
      headers: { 'content-length': '0' },
      expect: from ? [201, 202] : [202],
    });
    await res.body.dump();
    if (res.status === 201) {
      this.verifyStored(res);
      return { mounted: true };
    }
    if (from) this.client.logger.debug(`mount of ${this.blob.digest} from ${from} refused; uploading`);
    return { mounted: false, url: this.location(res, 'POST') };
  }

  /** Where the registry is in this session: bytes held and the Location to continue at. */
  private async status(url: string): Promise<{ offset: number; url: string }> {
    let res: RegistryResponse;
    try {
      res = await this.t.send({
        ...this.common,
        method: 'GET',
        path: url,
        expect: [204],
      });
    } catch (e) {
      // 404 BLOB_UPLOAD_UNKNOWN (gone, or already committed), BLOB_UPLOAD_INVALID, 405…
      if (e instanceof RegistryError && e.failure === 'status' && !e.retryable) throw new SessionLost(e);
      throw e;
    }
    await res.body.dump();
    const offset = uploadedBytes(header(res, 'range'));
    const next = header(res, 'location') ? this.location(res, 'GET') : url;
    if (offset === undefined || offset > this.blob.size) {
      throw new SessionLost(
        new RegistryError({
          registry: this.repo.registry,
          repository: this.repo.repository,
          operation: this.operation,
          failure: 'invalid-response',
          method: 'GET',
          url,
          status: res.status,
          detail: `the upload status has an unusable Range "${header(res, 'range') ?? ''}"`,
        }),
      );
    }
    return { offset, url: next };
  }

  private async inSession(mount: boolean): Promise<UploadOutcome> {
    const opened = await this.open(mount);
    if (opened.mounted) return 'mounted';
    const { policy, reclaimer } = this.client;
    const size = this.blob.size;
    const chunk = this.opts.chunkSize && size > this.opts.chunkSize ? this.opts.chunkSize : size;
    const open = () => reclaiming(this.blob.open(), reclaimer);
    let url = opened.url;
    let offset = 0;
    let resumed = false;
    let cursor: BlobCursor | undefined;
    let failures = 0;
    let progressed = false;
    try {
      for (;;) {
        try {
          if (offset === 0 && chunk === size) {
            // Monolithic: the whole blob in the closing PUT.
            const put = await this.t.send({
              ...this.common,
              method: 'PUT',
              path: withDigest(url, this.blob.digest),
              headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
              body: open,
              expect: [201],
              retry: false,
              slowAnswer: true,
            });
            await put.body.dump();
            this.verifyStored(put);
            return 'uploaded';
          }
          if (offset < size) {
            const n = Math.min(chunk, size - offset);
            cursor ??= new BlobCursor(open, offset);
            const patch = await this.t.send({
              ...this.common,
              method: 'PATCH',
              path: url,
              headers: {
                'content-type': 'application/octet-stream',
                'content-length': String(n),
                'content-range': `${offset}-${offset + n - 1}`,
              },
              body: cursor.take(n),
              expect: [202, 204],
              retry: false,
            });
            await patch.body.dump();
            url = this.location(patch, 'PATCH');
            offset += n;
            failures = 0;
            progressed = true;
            continue;
          }
          return await this.commit(url, resumed);
        } catch (e) {
          if (e instanceof SessionLost) throw e;
          if (e instanceof RegistryError && sessionGone(e)) throw new SessionLost(e);
          if (!(e instanceof RegistryError) || !isRecoverable(e)) throw e;
          cursor?.close();
          cursor = undefined;
          if (++failures >= policy.attempts) {
            throw e.with({ detail: this.gaveUp(e, `${failures} attempts`), retryable: false });
          }
          const delay = backoffDelay(policy, failures, e.retryAfterMs);
          this.client.logger.warn(
            `${this.operation} to ${this.repo.name}: ${e.message}; resuming in ${delay} ms (attempt ${failures + 1}/${policy.attempts})`,
          );
          await policy.sleep(delay);
          const at = await this.status(url);
          if (at.offset !== offset)
            this.client.logger.debug(`${this.operation}: the registry holds ${at.offset} bytes`);
          resumed ||= at.offset > 0;
          offset = at.offset;
          url = at.url;
        }
      }
    } catch (e) {
      if (e instanceof SessionLost) e.progressed = progressed;
      throw e;
    } finally {
      cursor?.close();
    }
  }

  /** The closing PUT ?digest= with no body, retried by the transport. */
  private async commit(url: string, resumed: boolean): Promise<UploadOutcome> {
    try {
      const put = await this.t.send({
        ...this.common,
        method: 'PUT',
        path: withDigest(url, this.blob.digest),
        headers: { 'content-length': '0' },
        expect: [201],
        slowAnswer: true,
      });
      await put.body.dump();
      this.verifyStored(put);
      return 'uploaded';
    } catch (e) {
      if (!(e instanceof RegistryError) || (e.failure !== 'status' && e.failure !== 'network')) throw e;
      // Stored, but answered an error (or the answer was lost, or a retry found the session consumed)?
      if (await this.exists()) return 'uploaded';
      // Gone, or the bytes of a resumed upload did not add up (a broken request kept more than it said): start over.
      if (sessionGone(e) || (resumed && e.status === 400)) throw new SessionLost(e);
      throw e;
    }
  }
}

export function uploadBlob(
  client: RegistryClient,
  repo: Reference,
  blob: Blob,
  opts: UploadOptions,
): Promise<UploadOutcome> {
  return new BlobUpload(client, repo, blob, opts).run();
}
