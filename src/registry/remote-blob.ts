/**
 * Blobs and layers that live in a registry: lazy (nothing is fetched until
 * open()), verified (digest and size; a mismatch or a truncated body errors
 * the stream and its last bytes are withheld, so a consumer never sees a
 * complete-looking stream of wrong content), resumable (a connection that
 * breaks mid-body continues with a Range request). They carry their source
 * repository so a push to the same registry can mount them.
 */
import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { Blob, Layer } from '../image/blob.js';
import { coalesce, INFLATE_OPTIONS } from '../image/compression.js';
import { algorithmOf, type Digest, digestOfHash } from '../image/digest.js';
import type { Descriptor } from '../image/manifest.js';
import { layerCompression } from '../image/media-types.js';
import type { Reference } from '../image/reference.js';
import type { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { noReclaimer, reclaiming } from './reclaim.js';
import { backoffDelay, isRetryableNetworkError } from './retry.js';
import { header } from './transport.js';

/** Where a blob can be mounted from. */
export interface BlobSource {
  readonly registry: string;
  readonly repository: string;
}

/** A blob that knows the repository it came from. */
export interface MountableBlob extends Blob {
  readonly source: BlobSource;
}

export function isMountable(b: Blob): b is MountableBlob {
  const s = (b as Partial<MountableBlob>).source;
  return (
    typeof s === 'object' && s !== null && typeof s.registry === 'string' && typeof s.repository === 'string'
  );
}

export function openVerifiedBlob(
  client: RegistryClient,
  repo: Reference,
  desc: Pick<Descriptor, 'digest' | 'size'>,
): Readable {
  const operation = `pull blob ${desc.digest}`;
  const fail = (
    failure: 'digest-mismatch' | 'size-mismatch' | 'truncated' | 'network',
    detail: string,
    extra = {},
  ) =>
    new RegistryError({
      registry: repo.registry,
      repository: repo.repository,
      operation,
      failure,
      detail,
      ...extra,
    });

  async function* bytes(): AsyncGenerator<Buffer> {
    const hash = createHash(algorithmOf(desc.digest));
    let received = 0;
    let held: Buffer | undefined; // the last chunk, released only after verification
    const policy = client.policy;
    // Breaks in a row without a byte of progress; a resume that got further starts the count again.
    let attempt = 0;
    let progressAt = -1;
    for (;;) {
      attempt = received > progressAt ? 1 : attempt + 1;
      progressAt = received;
      const res = await client.blobResponse(repo, desc.digest, received);
      let skip = 0;
      if (received > 0) {
        if (res.status === 200) {
          skip = received; // Range ignored: drop what we already have
        } else {
          const start = Number(/bytes (\d+)-/.exec(header(res, 'content-range') ?? '')?.[1] ?? Number.NaN);
          if (start !== received) {
            await res.body.dump();
            throw fail(
              'network',
              `resume at byte ${received} got Content-Range "${header(res, 'content-range')}"`,
            );
          }
        }
      }
      let broken: unknown;
      try {
        for await (const chunk of res.body) {
          let c = chunk as Buffer;
          if (skip > 0) {
            const n = Math.min(skip, c.length);
            skip -= n;
            c = c.subarray(n);
            if (c.length === 0) continue;
          }
          if (received + c.length > desc.size) {
            res.body.destroy();
            throw fail(
              'size-mismatch',
              `the registry sent more than the ${desc.size} bytes the descriptor names`,
            );
          }
          hash.update(c);
          received += c.length;
          client.reclaimer.add(c.length);
          if (held) yield held;
          held = c;
        }
      } catch (e) {
        if (e instanceof RegistryError) throw e;
        broken = e;
      }
      if (received < desc.size) {
        const why = broken
          ? `connection broke after ${received} of ${desc.size} bytes (${(broken as Error).message})`
          : `the body ended after ${received} of ${desc.size} bytes`;
        const canRetry = !broken || isRetryableNetworkError(broken);
        if (canRetry && attempt < policy.attempts) {
          const delay = backoffDelay(policy, attempt);
          client.logger.debug(`${operation}: ${why}; resuming in ${delay} ms`);
          await policy.sleep(delay);
          continue;
        }
        throw fail(
          broken ? 'network' : 'truncated',
          `${why}${attempt > 1 ? `; gave up after ${attempt} attempts` : ''}`,
          {
            cause: broken,
          },
        );
      }
      if (broken) throw fail('network', (broken as Error).message, { cause: broken });
      const got = digestOfHash(hash, algorithmOf(desc.digest));
      if (got !== desc.digest) {
        throw fail('digest-mismatch', `the content hashes to ${got}, not ${desc.digest}`);
      }
      if (held) yield held;
      return;
    }
  }
  return Readable.from(bytes(), { objectMode: false, highWaterMark: 64 * 1024 });
}

/** Decompresses a layer stream according to its media type. */
export function uncompressed(mediaType: string, open: () => Readable, reclaimer = noReclaimer): Readable {
  const kind = layerCompression(mediaType);
  if (kind === 'none') return open();
  const z = zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream };
  let decoder: NodeJS.ReadWriteStream;
  if (kind === 'gzip') decoder = zlib.createGunzip(INFLATE_OPTIONS);
  else if (z.createZstdDecompress) decoder = z.createZstdDecompress();
  else
    throw new Error(
      `layer media type ${mediaType} needs zstd, which this Node.js (${process.version}) lacks`,
    );
  return reclaiming(pipeline(open(), coalesce(), decoder, () => {}) as unknown as Readable, reclaimer);
}

export class RemoteBlob implements MountableBlob {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly source: BlobSource;

  constructor(
    protected readonly client: RegistryClient,
    protected readonly repo: Reference,
    desc: Descriptor,
  ) {
    this.mediaType = desc.mediaType;
    this.digest = desc.digest;
    this.size = desc.size;
    this.source = { registry: repo.registry, repository: repo.repository };
  }

  open(): Readable {
    return this.client.openBlob(this.repo, this);
  }
}

export class RemoteLayer extends RemoteBlob implements Layer {
  readonly diffId: Digest;
  readonly urls?: string[];
  readonly annotations?: Record<string, string>;

  constructor(client: RegistryClient, repo: Reference, desc: Descriptor, diffId: Digest) {
    super(client, repo, desc);
    this.diffId = diffId;
    if (desc.urls) this.urls = desc.urls;
    if (desc.annotations) this.annotations = desc.annotations;
  }

  openUncompressed(): Readable {
    return uncompressed(this.mediaType, () => this.open(), this.client.reclaimer);
  }
}
