/**
 * Uploading one blob, in go-containerregistry's order: HEAD (already
 * there?), cross-repository mount when a source repository on the same
 * registry is known (a refused mount, 202, continues as an upload in the
 * session it opened), then a monolithic PUT or a chunked upload (PATCH with
 * Content-Range, always following the latest Location, then PUT ?digest=).
 * A failure restarts the blob from the HEAD, within the retry policy; the
 * body is reopened each time (Blob.open()).
 */
import type { Readable } from 'node:stream';
import type { Blob } from '../image/blob.js';
import type { Reference } from '../image/reference.js';
import type { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { reclaiming } from './reclaim.js';
import { withRetry } from './retry.js';
import { header, type RegistryResponse, type RegistryTransport, type SendOptions } from './transport.js';

export type UploadOutcome = 'exists' | 'mounted' | 'uploaded';

export interface UploadOptions {
  /** Token scopes of the push session (target pull,push and mount sources' pull). */
  scopes: string[];
  /** Repositories on the same registry that may hold the blob. */
  mountFrom?: string[];
  /** Chunked upload with chunks of this size for blobs larger than it. */
  chunkSize?: number;
}

function location(res: RegistryResponse, repo: Reference, operation: string): string {
  const loc = header(res, 'location');
  if (!loc) {
    throw new RegistryError({
      registry: repo.registry,
      repository: repo.repository,
      operation,
      failure: 'invalid-response',
      method: 'POST',
      url: res.url,
      status: res.status,
      detail: 'the registry answered without a Location header',
    });
  }
  return new URL(loc, res.url).toString();
}

function withDigest(url: string, digest: string): string {
  const u = new URL(url);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/** Reads exactly `n` bytes from a shared iterator, keeping what is left over for the next chunk. */
class ChunkReader {
  private leftover: Buffer | undefined;
  private readonly it: AsyncIterator<Buffer>;
  constructor(private readonly source: Readable) {
    this.it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
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

/** POST /blobs/uploads/: opens an upload session (its Location names it); the body is dumped. */
export async function openUploadSession(
  t: RegistryTransport,
  repo: Reference,
  common: Pick<SendOptions, 'scopes' | 'repository' | 'operation' | 'retry'>,
): Promise<RegistryResponse> {
  const session = await t.send({
    ...common,
    method: 'POST',
    path: `/v2/${repo.repository}/blobs/uploads/`,
    headers: { 'content-length': '0' },
    expect: [202],
  });
  await session.body.dump();
  return session;
}

export async function uploadBlob(
  client: RegistryClient,
  repo: Reference,
  blob: Blob,
  opts: UploadOptions,
): Promise<UploadOutcome> {
  const t = client.transport(repo.registry);
  const operation = `upload blob ${blob.digest}`;
  const common = { scopes: opts.scopes, repository: repo.repository, operation, retry: false } as const;
  const chunkSize = opts.chunkSize;

  const verifyStored = (res: RegistryResponse) => {
    const stored = header(res, 'docker-content-digest');
    if (stored && stored !== blob.digest) {
      throw new RegistryError({
        registry: repo.registry,
        repository: repo.repository,
        operation,
        failure: 'digest-mismatch',
        method: 'PUT',
        url: res.url,
        status: res.status,
        detail: `the registry stored ${stored}`,
      });
    }
  };

  const once = async (): Promise<UploadOutcome> => {
    const head = await t.send({
      ...common,
      method: 'HEAD',
      path: `/v2/${repo.repository}/blobs/${blob.digest}`,
      expect: [200, 404],
      redirect: true,
    });
    await head.body.dump();
    if (head.status === 200) return 'exists';

    let session: RegistryResponse | undefined;
    const from = (opts.mountFrom ?? []).find((r) => r !== repo.repository);
    if (from) {
      const q = new URLSearchParams({ mount: blob.digest, from });
      session = await t.send({
        ...common,
        method: 'POST',
        path: `/v2/${repo.repository}/blobs/uploads/?${q}`,
        headers: { 'content-length': '0' },
        expect: [201, 202],
      });
      await session.body.dump();
      if (session.status === 201) {
        verifyStored(session);
        return 'mounted';
      }
      client.logger.debug(`mount of ${blob.digest} from ${from} refused; uploading`);
    }
    session ??= await openUploadSession(t, repo, common);
    let url = location(session, repo, operation);

    if (!chunkSize || blob.size <= chunkSize) {
      const put = await t.send({
        ...common,
        method: 'PUT',
        path: withDigest(url, blob.digest),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
        body: () => reclaiming(blob.open(), client.reclaimer),
        expect: [201],
      });
      await put.body.dump();
      verifyStored(put);
      return 'uploaded';
    }

    const reader = new ChunkReader(reclaiming(blob.open(), client.reclaimer));
    try {
      for (let offset = 0; offset < blob.size; ) {
        const n = Math.min(chunkSize, blob.size - offset);
        const patch = await t.send({
          ...common,
          method: 'PATCH',
          path: url,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(n),
            'content-range': `${offset}-${offset + n - 1}`,
          },
          body: reader.take(n),
          expect: [202, 204],
        });
        await patch.body.dump();
        url = location(patch, repo, operation);
        offset += n;
      }
    } finally {
      reader.close();
    }
    const put = await t.send({
      ...common,
      method: 'PUT',
      path: withDigest(url, blob.digest),
      headers: { 'content-length': '0' },
      expect: [201],
    });
    await put.body.dump();
    verifyStored(put);
    return 'uploaded';
  };

  return withRetry(client.policy, once, {
    onRetry: (e, attempt, delay) =>
      client.logger.warn(
        `${operation} to ${repo.name}: ${e.message}; retrying in ${delay} ms (attempt ${attempt + 1}/${client.policy.attempts})`,
      ),
  });
}
