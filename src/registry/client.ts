/**
 * RegistryClient: the registry API over one transport per registry host —
 * manifests (get by tag or digest with verification, head, put) and blobs
 * (head, ranged get, verified streams). Pull and push are built on it in
 * pull.ts and push.ts. Its options are its own (RegistryClientOptions, like
 * go-containerregistry's remote/options.go); the executor maps its build
 * options onto them.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { type Digest, isDigest, parseDigest, sha256 } from '../image/digest.js';
import type { Descriptor } from '../image/manifest.js';
import { MANIFEST_ACCEPT } from '../image/media-types.js';
import type { Reference } from '../image/reference.js';
import { type Logger, silentLogger } from '../log.js';
import { repositoryScope } from './auth.js';
import { anonymous, type CredentialProvider } from './credentials.js';
import { RegistryError } from './errors.js';
import { type MemoryReclaimer, periodicMinorGc } from './reclaim.js';
import { openVerifiedBlob } from './remote-blob.js';
import { isRetryableNetworkError, type RetryPolicy, retryPolicy, withRetry } from './retry.js';
import { header, isLoopbackHost, type RegistryResponse, RegistryTransport, readBody } from './transport.js';

export interface RegistryClientOptions {
  credentials?: CredentialProvider;
  logger?: Logger;
  /** Registries reached over plain HTTP (host or host:port). */
  insecure?: string[];
  /** Registries whose TLS certificate is not verified; '*' for all. */
  skipTlsVerify?: string[];
  /** host → CA certificate file (PEM) trusted for that registry. */
  caFiles?: Map<string, string> | Record<string, string>;
  /** A CA certificate file trusted for every registry. */
  caFile?: string;
  retry?: Partial<RetryPolicy>;
  /** Upload blobs larger than this in chunks of this size (PATCH with Content-Range). Default: monolithic. */
  chunkSize?: number;
  /** Blob uploads in parallel (default 3). */
  concurrency?: number;
  /** Reclaims spent buffers while streaming blobs (default: a minor GC every 8 MiB; noReclaimer to turn off). */
  reclaimer?: MemoryReclaimer;
  userAgent?: string;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

/** A manifest as the registry served it. */
export interface ManifestResponse {
  bytes: Buffer;
  mediaType: string;
  /** sha256 of the bytes (verified against the requested digest / Docker-Content-Digest). */
  digest: Digest;
}

export interface ManifestHead {
  digest: Digest;
  mediaType: string;
  size: number;
}

/** Manifests above this size are refused (distribution's own limit is 4 MiB). */
export const MANIFEST_LIMIT = 4 * 1024 * 1024;

function hostMatches(list: string[] | undefined, registry: string, host: string): boolean {
  if (!list) return false;
  const bare = (h: string) => h.replace(/:\d+$/, '');
  return list.some(
    (h) => h === '*' || h === registry || h === host || (!h.includes(':') && h === bare(registry)),
  );
}

export class RegistryClient {
  readonly logger: Logger;
  readonly policy: RetryPolicy;
  readonly chunkSize: number | undefined;
  readonly concurrency: number;
  readonly reclaimer: MemoryReclaimer;
  private readonly transports = new Map<string, RegistryTransport>();

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.logger = opts.logger ?? silentLogger;
    this.policy = retryPolicy(opts.retry);
    this.chunkSize = opts.chunkSize;
    this.concurrency = Math.max(1, opts.concurrency ?? 3);
    this.reclaimer = opts.reclaimer ?? periodicMinorGc();
  }

  /** The transport for a registry name (`docker.io`, `ghcr.io`, `127.0.0.1:5000`). */
  transport(registry: string): RegistryTransport {
    let t = this.transports.get(registry);
    if (t) return t;
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    const caFiles =
      this.opts.caFiles instanceof Map ? this.opts.caFiles : new Map(Object.entries(this.opts.caFiles ?? {}));
    const ca: string[] = [];
    if (this.opts.caFile) ca.push(readFileSync(this.opts.caFile, 'utf8'));
    const own = caFiles.get(registry) ?? caFiles.get(host);
    if (own) ca.push(readFileSync(own, 'utf8'));
    const insecure = hostMatches(this.opts.insecure, registry, host);
    t = new RegistryTransport({
      host,
      registry,
      insecure,
      httpFallback: !insecure && isLoopbackHost(host),
      skipTlsVerify: hostMatches(this.opts.skipTlsVerify, registry, host),
      ca,
      credentials: this.opts.credentials ?? anonymous,
      logger: this.logger,
      policy: this.policy,
      userAgent: this.opts.userAgent,
      headersTimeoutMs: this.opts.headersTimeoutMs,
      bodyTimeoutMs: this.opts.bodyTimeoutMs,
    });
    this.transports.set(registry, t);
    return t;
  }

  async close(): Promise<void> {
    await Promise.all([...this.transports.values()].map((t) => t.close()));
    this.transports.clear();
  }

  /** Fetches a manifest by tag or digest; verifies a digest reference and Docker-Content-Digest. */
  async getManifest(
    ref: Reference,
    opts: { accept?: readonly string[]; scopes?: string[] } = {},
  ): Promise<ManifestResponse> {
    const id = ref.identifier;
    const operation = `pull manifest ${ref.digest ? ref.digest : `tag ${id}`}`;
    // The transport retries the request; a body that breaks or stalls is fetched again here.
    return withRetry(
      this.policy,
      async () => {
        const res = await this.transport(ref.registry).send({
          method: 'GET',
          path: `/v2/${ref.repository}/manifests/${id}`,
          headers: { accept: (opts.accept ?? MANIFEST_ACCEPT).join(', ') },
          scopes: opts.scopes ?? [repositoryScope(ref.repository, 'pull')],
          repository: ref.repository,
          operation,
          expect: [200],
        });
        const err = (
          failure: 'size-mismatch' | 'digest-mismatch' | 'invalid-response' | 'network',
          detail: string,
          extra: { retryable?: boolean; cause?: unknown } = {},
        ) =>
          new RegistryError({
            registry: ref.registry,
            repository: ref.repository,
            operation,
            failure,
            method: 'GET',
            url: res.url,
            status: res.status,
            detail,
            ...extra,
          });
        let bytes: Buffer;
        try {
          bytes = await readBody(res.body, MANIFEST_LIMIT, () =>
            err('size-mismatch', `the manifest is larger than ${MANIFEST_LIMIT} bytes`),
          );
        } catch (e) {
          if (e instanceof RegistryError || !isRetryableNetworkError(e)) throw e;
          throw err('network', `the body broke off: ${(e as Error).message}`, { retryable: true, cause: e });
        }
        const digest = sha256(bytes);
        if (ref.digest && digest !== ref.digest) {
          throw err('digest-mismatch', `asked for ${ref.digest}, the content hashes to ${digest}`);
        }
        const claimed = header(res, 'docker-content-digest');
        if (claimed && isDigest(claimed) && claimed.startsWith('sha256:') && claimed !== digest) {
          throw err(
            'digest-mismatch',
            `Docker-Content-Digest says ${claimed}, the content hashes to ${digest}`,
          );
        }
        let mediaType = (header(res, 'content-type') ?? '').split(';')[0]!.trim();
        try {
          const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
          if (typeof parsed.mediaType === 'string' && parsed.mediaType) mediaType = parsed.mediaType;
        } catch {
          throw err('invalid-response', 'the manifest is not JSON');
        }
        return { bytes, mediaType, digest };
      },
      {
        onRetry: (e, attempt, delay) =>
          this.logger.warn(
            `${e.message}; retrying in ${delay} ms (attempt ${attempt + 1}/${this.policy.attempts})`,
          ),
      },
    );
  }

  /** Digest, media type and size of what a tag or digest holds; undefined when absent. */
  async headManifest(ref: Reference, opts: { scopes?: string[] } = {}): Promise<ManifestHead | undefined> {
    const res = await this.transport(ref.registry).send({
      method: 'HEAD',
      path: `/v2/${ref.repository}/manifests/${ref.identifier}`,
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      scopes: opts.scopes ?? [repositoryScope(ref.repository, 'pull')],
      repository: ref.repository,
      operation: `check manifest ${ref.identifier}`,
      expect: [200, 404],
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    const claimed = header(res, 'docker-content-digest');
    const mediaType = (header(res, 'content-type') ?? '').split(';')[0]!.trim();
    if (claimed && isDigest(claimed)) {
      return { digest: parseDigest(claimed), mediaType, size: Number(header(res, 'content-length') ?? 0) };
    }
    // No digest header: fetch and hash.
    const m = await this.getManifest(ref, opts);
    return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
  }

  /** Puts a manifest under a tag or its digest; returns the digest (checked against the registry's). */
  async putManifest(
    ref: Reference,
    bytes: Buffer,
    mediaType: string,
    opts: { scopes?: string[] } = {},
  ): Promise<Digest> {
    const digest = sha256(bytes);
    const id = ref.tag ?? ref.digest ?? digest;
    const operation = `push manifest ${ref.tag ? `tag ${ref.tag}` : id}`;
    let res: RegistryResponse;
    try {
      res = await this.transport(ref.registry).send({
        method: 'PUT',
        path: `/v2/${ref.repository}/manifests/${id}`,
        headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
        body: bytes,
        scopes: opts.scopes ?? [repositoryScope(ref.repository, 'pull,push')],
        repository: ref.repository,
        operation,
        expect: [200, 201, 202],
      });
    } catch (e) {
      // A registry may store the manifest and still answer an error (or the answer is lost): look before failing.
      if (e instanceof RegistryError && (e.failure === 'network' || (e.status ?? 0) >= 500)) {
        const there = await this.headManifest(ref, opts).catch(() => undefined);
        if (there?.digest === digest) {
          this.logger.warn(`${e.message}; but ${ref} holds the manifest (${digest}): pushed`);
          return digest;
        }
      }
      throw e;
    }
    await res.body.dump();
    const claimed = header(res, 'docker-content-digest');
    if (claimed?.startsWith('sha256:') && claimed !== digest) {
      throw new RegistryError({
        registry: ref.registry,
        repository: ref.repository,
        operation,
        failure: 'digest-mismatch',
        method: 'PUT',
        url: res.url,
        status: res.status,
        detail: `the registry stored ${claimed}, the manifest hashes to ${digest}`,
      });
    }
    return digest;
  }

  /** Size of a blob in a repository; undefined when the repository lacks it. */
  async headBlob(
    repo: Reference,
    digest: Digest,
    opts: { scopes?: string[] } = {},
  ): Promise<{ size: number } | undefined> {
    const res = await this.transport(repo.registry).send({
      method: 'HEAD',
      path: `/v2/${repo.repository}/blobs/${parseDigest(digest)}`,
      scopes: opts.scopes ?? [repositoryScope(repo.repository, 'pull')],
      repository: repo.repository,
      operation: `check blob ${digest}`,
      expect: [200, 404],
      redirect: true,
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    return { size: Number(header(res, 'content-length') ?? -1) };
  }

  /** The raw GET of a blob from `offset` (Range), redirects followed; the caller verifies. */
  blobResponse(repo: Reference, digest: Digest, offset = 0): Promise<RegistryResponse> {
    return this.transport(repo.registry).send({
      method: 'GET',
      path: `/v2/${repo.repository}/blobs/${parseDigest(digest)}`,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      scopes: [repositoryScope(repo.repository, 'pull')],
      repository: repo.repository,
      operation: `pull blob ${digest}`,
      expect: offset > 0 ? [200, 206] : [200],
      redirect: true,
    });
  }

  /**
   * A stream of a blob verified against the descriptor's digest and size;
   * a broken connection resumes with a Range request; a mismatch or a
   * truncated body errors the stream before its last bytes are delivered.
   */
  openBlob(repo: Reference, desc: Pick<Descriptor, 'digest' | 'size'>): Readable {
    return openVerifiedBlob(this, repo, desc);
  }

  /** A small blob (a config) read whole and verified. */
  async readBlob(
    repo: Reference,
    desc: Pick<Descriptor, 'digest' | 'size'>,
    limit = 64 * 1024 * 1024,
  ): Promise<Buffer> {
    if (desc.size > limit) {
      throw new RegistryError({
        registry: repo.registry,
        repository: repo.repository,
        operation: `pull blob ${desc.digest}`,
        failure: 'size-mismatch',
        detail: `the blob is ${desc.size} bytes; at most ${limit} are read into memory`,
      });
    }
    const parts: Buffer[] = [];
    for await (const chunk of this.openBlob(repo, desc)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }
}
