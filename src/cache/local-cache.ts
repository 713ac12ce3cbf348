/**
 * The local directory backend (--cache-dir): entries as small JSON files
 * named by key (`entries/<key>.json`), layers in a content-addressed blob
 * store beside them, which also holds base image layers by digest. Writes
 * are temp file + rename, so two builds can share the directory.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { explainWrite } from '../fs/disk-full.js';
import type { Layer } from '../image/blob.js';
import type { Logger } from '../log.js';
import { BackgroundQueue } from './background.js';
import { BlobStore } from './blob-store.js';
import { type CacheEntry, parseEntry, staleness } from './entry.js';
import { FileDigestMemo } from './file-digest-memo.js';
import { type KeyTrace, parseTrace } from './key-trace.js';
import { type CacheLookup, type LayerCache, MissReason } from './layer-cache.js';

export interface LocalCacheOptions {
  dir: string;
  ttlMs: number;
  now: () => Date;
  log: Logger;
}

const KEY = /^[a-f0-9]{64}$/;

export class LocalLayerCache implements LayerCache {
  readonly name: string;
  readonly blobs: BlobStore;
  readonly fileDigests: FileDigestMemo;
  private readonly entries: string;
  /** `traces/<parent>.json`: the trace of the last entry stored under that parent. */
  private readonly traces: string;
  private readonly queue: BackgroundQueue;

  private constructor(private readonly opts: LocalCacheOptions) {
    this.name = `directory ${opts.dir}`;
    this.blobs = new BlobStore(opts.dir);
    this.entries = path.join(opts.dir, 'entries');
    this.traces = path.join(opts.dir, 'traces');
    this.queue = new BackgroundQueue(this.name);
    this.fileDigests = new FileDigestMemo(path.join(opts.dir, 'file-digests'), this.blobs, () =>
      opts.now().getTime(),
    );
  }

  /** Opens (creating) the directory. */
  static async open(opts: LocalCacheOptions): Promise<LocalLayerCache> {
    const c = new LocalLayerCache(opts);
    await c.blobs.init();
    await fs.mkdir(c.entries, { recursive: true });
    await fs.mkdir(c.traces, { recursive: true });
    return c;
  }

  private entryPath(key: string): string {
    if (!KEY.test(key)) throw new Error(`internal: cache key "${key}" is not 64 hex characters`);
    return path.join(this.entries, `${key}.json`);
  }

  async lookup(key: string): Promise<CacheLookup> {
    let text: string;
    try {
      text = await fs.readFile(this.entryPath(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { hit: false, reason: MissReason.noEntry };
      this.opts.log.debug(`${this.name}: reading entry ${key}: ${(e as Error).message}`);
      return { hit: false, reason: MissReason.invalid };
    }
    let entry: CacheEntry;
    try {
      entry = parseEntry(text);
    } catch {
      return { hit: false, reason: MissReason.invalid };
    }
    const stale = staleness(entry.created, this.opts.ttlMs, this.opts.now());
    if (stale) return { hit: false, reason: stale };
    if (!entry.layer) return { hit: true, layer: undefined };
    if (!(await this.blobs.has(entry.layer.digest, entry.layer.size))) {
      return { hit: false, reason: MissReason.blobMissing };
    }
    return { hit: true, layer: this.blobs.layer(entry.layer) };
  }

  store(key: string, layer: Layer | undefined, trace?: KeyTrace): void {
    this.queue.run(`entry ${key.slice(0, 12)}`, async () => {
      await this.write(key, layer);
      if (trace && KEY.test(trace.parent)) {
        await this.writeFile(path.join(this.traces, `${trace.parent}.json`), JSON.stringify(trace));
      }
    });
  }

  async previousTrace(parent: string): Promise<KeyTrace | undefined> {
    if (!KEY.test(parent)) return undefined;
    try {
      return parseTrace(JSON.parse(await fs.readFile(path.join(this.traces, `${parent}.json`), 'utf8')));
    } catch {
      return undefined;
    }
  }

  /** Temp file + rename; a failure (a full disk) names the file. */
  private async writeFile(file: string, text: string): Promise<void> {
    const tmp = this.blobs.tempPath('entry');
    try {
      await fs.writeFile(tmp, text);
      await fs.rename(tmp, file);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw explainWrite(e, file);
    }
  }

  /** Stores now (the blob first, the entry last). */
  async write(key: string, layer: Layer | undefined): Promise<void> {
    const entry: CacheEntry = { created: this.opts.now().toISOString() };
    if (layer) {
      await this.blobs.put(layer.open(), layer.digest, layer.size);
      entry.layer = {
        mediaType: layer.mediaType,
        digest: layer.digest,
        diffId: layer.diffId,
        size: layer.size,
      };
    }
    await this.writeFile(this.entryPath(key), `${JSON.stringify(entry)}\n`);
  }

  keepLayer(layer: Layer): Layer {
    return this.blobs.keep(layer);
  }

  async flush(): Promise<string[]> {
    const warnings = await this.queue.settle();
    try {
      await this.fileDigests.save();
    } catch (e) {
      warnings.push(`${this.name}: saving file digests failed: ${(e as Error).message}`);
    }
    return warnings;
  }
}
