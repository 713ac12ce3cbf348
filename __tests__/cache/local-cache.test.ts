/**
 * The local backend's pieces without a build: entries and the TTL, the
 * verified blob store and its tee for base layers, the file-digest memo,
 * and background stores that fail as warnings.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { BackgroundQueue } from '../../src/cache/background.js';
import { BlobStore } from '../../src/cache/blob-store.js';
import { FileDigestMemo } from '../../src/cache/file-digest-memo.js';
import { CacheKeyBuilder } from '../../src/cache/key.js';
import { LocalLayerCache } from '../../src/cache/local-cache.js';
import { hashSources } from '../../src/executor/steps/source-hash.js';
import { SourceTree } from '../../src/executor/steps/source-tree.js';
import type { Layer } from '../../src/image/blob.js';
import { sha256 } from '../../src/image/digest.js';
import { layerFromOpener } from '../../src/image/layer.js';
import { silentLogger } from '../../src/log.js';
import { readStream } from '../lab/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-cache-unit-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** An uncompressed layer of these bytes (digest = diffID), counting its opens. */
function bytesLayer(bytes: Buffer): Layer & { opens: () => number } {
  let opens = 0;
  const d = sha256(bytes);
  const l = layerFromOpener(
    { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d, diffId: d, size: bytes.length },
    () => {
      opens++;
      return Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]);
    },
  );
  return Object.assign(Object.create(null), l, { opens: () => opens });
}

const KEY = 'a'.repeat(64);
const DAY = 86_400_000;

describe('LocalLayerCache', () => {
  test('stores and finds entries, with and without a layer; the TTL expires them', async () => {
    let now = new Date('2025-01-01T00:00:00Z');
    const cache = await LocalLayerCache.open({ dir, ttlMs: 14 * DAY, now: () => now, log: silentLogger });
    expect(await cache.lookup(KEY)).toEqual({ hit: false, reason: 'no entry' });
    const layer = bytesLayer(Buffer.from('layer bytes'));
    cache.store(KEY, layer);
    cache.store('b'.repeat(64), undefined);
    expect(await cache.flush()).toEqual([]);

    const hit = await cache.lookup(KEY);
    expect(hit.hit).toBe(true);
    const got = hit.hit ? hit.layer! : undefined;
    expect(got?.digest).toBe(layer.digest);
    expect((await readStream(got!.open())).toString()).toBe('layer bytes');
    expect(await cache.lookup('b'.repeat(64))).toEqual({ hit: true, layer: undefined });

    now = new Date(now.getTime() + 15 * DAY);
    expect(await cache.lookup(KEY)).toEqual({ hit: false, reason: 'expired' });
  });

  test('a damaged entry or a missing blob is a miss, never an error', async () => {
    const cache = await LocalLayerCache.open({ dir, ttlMs: DAY, now: () => new Date(), log: silentLogger });
    await fs.writeFile(path.join(dir, 'entries', `${KEY}.json`), '{not json');
    expect(await cache.lookup(KEY)).toEqual({ hit: false, reason: 'invalid entry' });
    const layer = bytesLayer(Buffer.from('gone'));
    await cache.write(KEY, layer);
    await fs.rm(path.join(dir, 'blobs/sha256', layer.digest.slice(7)));
    expect(await cache.lookup(KEY)).toEqual({ hit: false, reason: 'layer missing from the cache' });
  });

  test('a failing store is a warning at flush', async () => {
    const cache = await LocalLayerCache.open({ dir, ttlMs: DAY, now: () => new Date(), log: silentLogger });
    const broken: Layer = { ...bytesLayer(Buffer.from('x')), open: () => Readable.from([Buffer.from('y')]) };
    cache.store(KEY, broken);
    const warnings = await cache.flush();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /storing a cache entry failed \(the build is not affected\).*failed verification/,
    );
    expect(await fs.readdir(path.join(dir, 'tmp'))).toEqual([]);
    expect(await cache.lookup(KEY)).toEqual({ hit: false, reason: 'no entry' });
  });
});

describe('BlobStore', () => {
  test('put verifies, and a blob that fails verification leaves nothing behind', async () => {
    const store = new BlobStore(dir);
    await store.init();
    const good = Buffer.from('good');
    await store.put(Readable.from([good]), sha256(good), good.length);
    expect(await store.has(sha256(good), good.length)).toBe(true);
    await expect(store.put(Readable.from([Buffer.from('evil')]), sha256(good), 4)).resolves.toBeUndefined(); // already there
    const other = sha256('other');
    await expect(store.put(Readable.from([Buffer.from('wrong')]), other, 5)).rejects.toThrow(/verification/);
    expect(await store.has(other, 5)).toBe(false);
    expect(await fs.readdir(store.tmp)).toEqual([]);
  });

  test('keep() reads the source once, keeps it on a complete read, then serves it locally', async () => {
    const store = new BlobStore(dir);
    await store.init();
    const src = bytesLayer(Buffer.from('base layer content'));
    const kept = store.keep(src);
    expect(kept.digest).toBe(src.digest);
    // A read that stops early keeps nothing.
    const partial = kept.open();
    await new Promise<void>((resolve) => partial.once('data', () => resolve()));
    partial.destroy();
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.has(src.digest, src.size)).toBe(false);

    expect((await readStream(kept.openUncompressed())).toString()).toBe('base layer content');
    expect(await store.has(src.digest, src.size)).toBe(true);
    const opensBefore = src.opens();
    expect((await readStream(store.keep(src).open())).toString()).toBe('base layer content');
    expect(src.opens()).toBe(opensBefore);
    expect(await fs.readdir(store.tmp)).toEqual([]);
  });

  test('a stored blob that was damaged fails verification and is dropped', async () => {
    const store = new BlobStore(dir);
    await store.init();
    const bytes = Buffer.from('to be damaged');
    const d = sha256(bytes);
    await store.put(Readable.from([bytes]), d, bytes.length);
    await fs.writeFile(store.path(d), 'to be DAMAGED');
    const layer = store.layer({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: d,
      diffId: d,
      size: bytes.length,
    });
    await expect(readStream(layer.open())).rejects.toThrow(/verification/);
    expect(await store.has(d, bytes.length)).toBe(false);
  });
});

describe('FileDigestMemo', () => {
  async function digestOf(
    tree: SourceTree,
    memo: Awaited<ReturnType<FileDigestMemo['scope']>>,
  ): Promise<string> {
    const k = new CacheKeyBuilder('t');
    await hashSources(k, tree, await tree.match('.'), memo);
    return k.digest();
  }

  test('memoised digests are reused while the stat is unchanged, and a change is seen', async () => {
    const ctx = path.join(dir, 'ctx');
    await fs.mkdir(ctx);
    await fs.writeFile(path.join(ctx, 'f.txt'), 'one');
    const store = new BlobStore(path.join(dir, 'cache'));
    await store.init();
    const later = () => Date.now() + 60_000;
    const tree = new SourceTree(ctx, 'ctx');

    const m1 = new FileDigestMemo(path.join(dir, 'cache/file-digests'), store, later);
    const first = await digestOf(tree, await m1.scope(ctx));
    await m1.save();

    const m2 = new FileDigestMemo(path.join(dir, 'cache/file-digests'), store, later);
    const s2 = await m2.scope(ctx);
    const st = await fs.stat(path.join(ctx, 'f.txt'));
    const want = createHash('sha256').update('one').digest('hex');
    expect(s2.get(path.join(ctx, 'f.txt'), st)).toBe(want);
    expect(await digestOf(tree, s2)).toBe(first);

    // Same size, new content: the stat changed, so the file is read again.
    await fs.writeFile(path.join(ctx, 'f.txt'), 'two');
    const st2 = await fs.stat(path.join(ctx, 'f.txt'));
    expect(s2.get(path.join(ctx, 'f.txt'), st2)).toBeUndefined();
    expect(await digestOf(tree, s2)).not.toBe(first);
  });

  test('files changed just now are not memoised', async () => {
    const ctx = path.join(dir, 'ctx');
    await fs.mkdir(ctx);
    await fs.writeFile(path.join(ctx, 'f.txt'), 'fresh');
    const store = new BlobStore(path.join(dir, 'cache'));
    await store.init();
    const memo = new FileDigestMemo(path.join(dir, 'cache/file-digests'), store, Date.now);
    const scope = await memo.scope(ctx);
    const st = await fs.stat(path.join(ctx, 'f.txt'));
    scope.set(path.join(ctx, 'f.txt'), st, 'f'.repeat(64));
    expect(scope.get(path.join(ctx, 'f.txt'), st)).toBeUndefined();
  });
});

describe('source hashes', () => {
  test('hardlinks count: two linked files differ from two copies', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    for (const d of [a, b]) await fs.mkdir(d);
    await fs.writeFile(path.join(a, 'x'), 'same');
    await fs.link(path.join(a, 'x'), path.join(a, 'y'));
    await fs.writeFile(path.join(b, 'x'), 'same');
    await fs.writeFile(path.join(b, 'y'), 'same');
    const key = async (root: string) => {
      const tree = new SourceTree(root, 'ctx');
      const k = new CacheKeyBuilder('t');
      await hashSources(k, tree, await tree.match('.'));
      return k.digest();
    };
    expect(await key(a)).not.toBe(await key(b));
  });
});

describe('BackgroundQueue', () => {
  test('runs tasks in order and reports the first failure in full, the rest as a count', async () => {
    const q = new BackgroundQueue('registry r/cache');
    const order: number[] = [];
    q.run('one', async () => {
      order.push(1);
    });
    q.run('two', async () => {
      throw new Error('denied');
    });
    q.run('three', async () => {
      throw new Error('denied again');
    });
    q.run('four', async () => {
      order.push(4);
    });
    const w = await q.settle();
    expect(order).toEqual([1, 4]);
    expect(w).toEqual([
      'registry r/cache: storing a cache entry failed (the build is not affected): two: denied',
      'registry r/cache: 1 more cache stores failed',
    ]);
    expect(await q.settle()).toEqual([]);
  });
});
