import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  CompressionError,
  createCompressor,
  createDecompressor,
  hasNativeZstd,
  programFilter,
} from '../../src/image/compression.js';
import { parseDigest } from '../../src/image/digest.js';
import { ExtraMediaType } from '../../src/image/format.js';
import { fileLayer, layerFromOpener, layerMediaType, writeLayerBlob } from '../../src/image/layer.js';
import { layerCompression, MediaType } from '../../src/image/media-types.js';
import { VerificationError } from '../../src/image/verify.js';
import { readStream } from '../lab/fixtures.js';
import { gnuTarLayer, noise, removeDir, sha256Of, tempDir } from './helpers.js';

let dir: string;
let tar: Buffer;

beforeAll(async () => {
  dir = await tempDir();
  tar = await gnuTarLayer({ 'etc/motd': 'hello\n', 'usr/share/data.bin': noise(300_000), 'a/b/c/d': 'deep' });
});
afterAll(() => removeDir(dir));

function source(buf: Buffer, size = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('writeLayerBlob', () => {
  test.each([
    ['gzip', MediaType.OciLayerGzip],
    ['zstd', MediaType.OciLayerZstd],
    ['none', MediaType.OciLayer],
  ] as const)('%s: digest, diffID and size describe the file and the tar', async (compression, mt) => {
    const file = join(dir, `layer-${compression}`);
    const layer = await writeLayerBlob(source(tar), file, { compression });
    const stored = await readFile(file);
    expect(layer.mediaType).toBe(mt);
    expect(layer.diffId).toBe(sha256Of(tar));
    expect(layer.digest).toBe(sha256Of(stored));
    expect(layer.size).toBe(stored.length);
    expect((await readStream(layer.open())).equals(stored)).toBe(true);
    expect((await readStream(layer.openUncompressed())).equals(tar)).toBe(true);
    // reopenable
    expect((await readStream(layer.openUncompressed())).equals(tar)).toBe(true);
    if (compression === 'none') expect(layer.digest).toBe(layer.diffId);
    else expect(stored.length).toBeLessThan(tar.length);
  });

  test('gzip honours the level and stays gzip', async () => {
    const fast = await writeLayerBlob(source(tar), join(dir, 'l1'), { compression: 'gzip', level: 1 });
    const best = await writeLayerBlob(source(tar), join(dir, 'l9'), { compression: 'gzip', level: 9 });
    expect(best.size).toBeLessThan(fast.size);
    expect(gunzipSync(await readFile(join(dir, 'l1'))).equals(tar)).toBe(true);
  });

  test('the same tar gives the same digest (deterministic gzip header)', async () => {
    const a = await writeLayerBlob(source(tar, 1000), join(dir, 'd1'), { compression: 'gzip' });
    const b = await writeLayerBlob(source(tar, 50_000), join(dir, 'd2'), { compression: 'gzip' });
    expect(a.digest).toBe(b.digest);
  });

  test('an empty tar stream is a valid (empty) layer', async () => {
    const layer = await writeLayerBlob(Readable.from([]), join(dir, 'empty'), { compression: 'gzip' });
    expect(layer.diffId).toBe(sha256Of(''));
    expect(await readStream(layer.openUncompressed())).toHaveLength(0);
  });

  test('a failing tar source removes the partial file and names it', async () => {
    const file = join(dir, 'broken');
    const src = new PassThrough();
    src.write(tar.subarray(0, 10_000));
    setImmediate(() => src.destroy(new Error('tar writer crashed')));
    const err = await writeLayerBlob(src, file, { compression: 'gzip' }).catch((e) => e);
    expect(err.message).toContain(file);
    expect(err.message).toContain('tar writer crashed');
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  test('media type can be given (Docker) and annotations are carried', async () => {
    const layer = await writeLayerBlob(source(tar), join(dir, 'docker'), {
      compression: 'gzip',
      mediaType: MediaType.DockerLayerGzip,
      annotations: { a: 'b' },
    });
    expect(layer.mediaType).toBe(MediaType.DockerLayerGzip);
    expect(layer.annotations).toEqual({ a: 'b' });
    expect((await readStream(layer.openUncompressed())).equals(tar)).toBe(true);
  });
});

describe('fileLayer', () => {
  test('verify: a file changed on disk fails on open and on uncompressed open', async () => {
    const file = join(dir, 'tamper');
    const written = await writeLayerBlob(source(tar), file, { compression: 'gzip' });
    const layer = fileLayer({ ...written, file, verify: true });
    expect((await readStream(layer.openUncompressed())).equals(tar)).toBe(true);
    const bytes = await readFile(file);
    bytes[bytes.length - 20] ^= 0xff;
    await writeFile(file, bytes);
    await expect(readStream(layer.open())).rejects.toBeInstanceOf(VerificationError);
    await expect(readStream(layer.openUncompressed())).rejects.toThrow();
  });

  test('verify: a wrong diffID is caught on the uncompressed stream', async () => {
    const file = join(dir, 'wrong-diff');
    const w = await writeLayerBlob(source(tar), file, { compression: 'gzip' });
    const layer = fileLayer({ ...w, file, diffId: parseDigest(sha256Of('other')), verify: true });
    await expect(readStream(layer.open())).resolves.toHaveLength(w.size);
    const err = await readStream(layer.openUncompressed()).catch((e) => e);
    expect(err).toBeInstanceOf(VerificationError);
    expect(err.message).toContain('uncompressed layer');
  });

  test('a missing file errors on open', async () => {
    const layer = fileLayer({
      file: join(dir, 'nope'),
      mediaType: MediaType.OciLayerGzip,
      digest: parseDigest(sha256Of('x')),
      diffId: parseDigest(sha256Of('y')),
      size: 1,
    });
    await expect(readStream(layer.openUncompressed())).rejects.toThrow(/ENOENT/);
  });
});

describe('layerFromOpener and media types', () => {
  test('decompresses by media type, Docker and containerd spellings included', async () => {
    const gz = await readStream(source(tar).pipe(createCompressor('gzip')));
    const zst = await readStream(source(tar).pipe(createCompressor('zstd')));
    const info = { digest: parseDigest(sha256Of(gz)), diffId: parseDigest(sha256Of(tar)), size: gz.length };
    for (const [mt, bytes] of [
      [MediaType.DockerLayerGzip, gz],
      [MediaType.OciLayerGzip, gz],
      [ExtraMediaType.DockerLayerZstd, zst],
      [MediaType.OciLayerZstd, zst],
      [ExtraMediaType.DockerLayer, tar],
    ] as const) {
      const layer = layerFromOpener({ ...info, mediaType: mt }, () => Readable.from([bytes]));
      expect((await readStream(layer.openUncompressed())).equals(tar)).toBe(true);
    }
  });

  test('layerCompression / layerMediaType', () => {
    expect(layerCompression(MediaType.DockerLayerGzip)).toBe('gzip');
    expect(layerCompression(ExtraMediaType.DockerLayerZstd)).toBe('zstd');
    expect(layerCompression(MediaType.OciLayer)).toBe('none');
    expect(() => layerCompression('application/x-unknown')).toThrow(/unsupported layer media type/);
    expect(layerMediaType('gzip', 'docker')).toBe(MediaType.DockerLayerGzip);
    expect(layerMediaType('none', 'oci')).toBe(MediaType.OciLayer);
    expect(() => layerMediaType('zstd', 'docker')).toThrow(/zstd.*Docker/);
  });

  test('a corrupt gzip stream is an error, not a short tar', async () => {
    const gz = await readStream(source(tar).pipe(createCompressor('gzip')));
    const cut = gz.subarray(0, gz.length - 100);
    await expect(readStream(Readable.from([cut]).pipe(createDecompressor('gzip')))).rejects.toThrow(
      /unexpected end/,
    );
  });

  test(`a corrupt zstd stream is an error (${hasNativeZstd() ? 'node:zlib' : 'zstd program'})`, async () => {
    const zst = await readStream(source(tar).pipe(createCompressor('zstd')));
    const cut = zst.subarray(0, zst.length - 100);
    const d = createDecompressor('zstd');
    await expect(readStream(Readable.from([cut]).pipe(d))).rejects.toThrow(
      /zstd|unexpected end|truncated|premature/i,
    );
  });
});

describe('programFilter (the zstd fallback on Node 20)', () => {
  test('streams through a program', async () => {
    const out = await readStream(source(tar, 4096).pipe(programFilter('cat', [])));
    expect(out.equals(tar)).toBe(true);
  });

  test('a failing program is an error with its stderr, never a clean end', async () => {
    const f = programFilter('sh', ['-c', 'head -c 10; echo "bad input" >&2; exit 3']);
    const err = await readStream(source(tar).pipe(f)).catch((e) => e);
    expect(String(err?.message)).toMatch(/sh -c .* failed \(exit 3\): bad input/);
  });

  test('a program that stops reading but exits 0 is an error too', async () => {
    const f = programFilter('head', ['-c', '10']);
    const err = await readStream(source(tar).pipe(f)).catch((e) => e);
    expect(String(err?.message)).toMatch(/exited before reading all its input/);
  });

  test('a missing program says what to install', async () => {
    const f = programFilter('kiln-no-such-program', [], 'install it');
    const err = await readStream(Readable.from([Buffer.from('x')]).pipe(f)).catch((e) => e);
    expect(err).toBeInstanceOf(CompressionError);
    expect(err.message).toBe('"kiln-no-such-program" is not on PATH: install it');
  });
});
