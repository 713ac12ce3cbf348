import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Layer } from '../../src/image/blob.js';
import { encodeIndex } from '../../src/image/canonical-json.js';
import { parseDigest } from '../../src/image/digest.js';
import { emptyImage, type Image } from '../../src/image/image.js';
import { indexEntry, indexOf as makeIndex } from '../../src/image/image-index.js';
import { writeLayerBlob } from '../../src/image/layer.js';
import { MediaType } from '../../src/image/media-types.js';
import {
  blobPath,
  IMAGE_NAME,
  OciLayoutError,
  REF_NAME,
  readOciLayout,
  writeBlob,
  writeOciLayout,
  writeOciLayoutIndex,
} from '../../src/image/oci-layout.js';
import { parsePlatform } from '../../src/image/platform.js';
import { VerificationError } from '../../src/image/verify.js';
import { readStream } from '../lab/fixtures.js';
import { gnuTarLayer, removeDir, sha256Of, tempDir } from './helpers.js';

let work: string;
let tars: Buffer[];
let layers: Layer[];
let image: Image;

beforeAll(async () => {
  work = await tempDir();
  tars = [await gnuTarLayer({ 'bin/a': 'a' }), await gnuTarLayer({ 'etc/b': 'b'.repeat(5000) })];
  layers = await Promise.all(
    tars.map((t, i) => writeLayerBlob(Readable.from([t]), join(work, `layer${i}`), { compression: 'gzip' })),
  );
  image = emptyImage(parsePlatform('linux/amd64'))
    .appendLayer(layers[0]!, { created_by: 'ADD a' })
    .appendLayer(layers[1]!, { created_by: 'ADD b' })
    .withConfig((c) => {
      c.config.Cmd = ['/bin/a'];
    });
});
afterAll(() => removeDir(work));

async function fresh(name: string): Promise<string> {
  return join(work, name);
}

async function indexOf(dir: string) {
  return JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
}

describe('writeOciLayout', () => {
  test('writes oci-layout, index.json with the tag, and every blob under its digest', async () => {
    const dir = await fresh('one');
    const desc = await writeOciLayout(dir, image, { tag: 'v1', name: 'example.com/app:v1' });
    expect(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const index = await indexOf(dir);
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(MediaType.OciIndex);
    expect(index.manifests).toEqual([
      {
        mediaType: MediaType.OciManifest,
        digest: image.digest(),
        size: image.manifestBytes().length,
        annotations: { [IMAGE_NAME]: 'example.com/app:v1', [REF_NAME]: 'v1' },
        platform: { architecture: 'amd64', os: 'linux' },
      },
    ]);
    expect(desc.digest).toBe(image.digest());
    const blobs = await readdir(join(dir, 'blobs', 'sha256'));
    expect(blobs.sort()).toEqual(
      [image.digest(), image.configDescriptor().digest, layers[0]!.digest, layers[1]!.digest]
        .map((d) => d.slice(7))
        .sort(),
    );
    for (const name of blobs) {
      expect(sha256Of(await readFile(join(dir, 'blobs', 'sha256', name)))).toBe(`sha256:${name}`);
    }
  });

  test('reuses blobs, keeps other tags, moves a tag that is written again', async () => {
    const dir = await fresh('many');
    await writeOciLayout(dir, image, { tag: 'v1' });
    const layerFile = blobPath(dir, layers[0]!.digest);
    const before = await stat(layerFile);
    const v2 = image.withConfig((c) => {
      c.config.Cmd = ['/bin/b'];
    });
    await writeOciLayout(dir, v2, { tag: 'v2' });
    expect((await stat(layerFile)).mtimeMs).toBe(before.mtimeMs);
    expect(await writeBlob(dir, layers[0]!)).toBe(false);
    const v1b = image.withConfig((c) => {
      c.config.Cmd = ['/bin/c'];
    });
    await writeOciLayout(dir, v1b, { tag: 'v1' });
    const tags = (await indexOf(dir)).manifests.map(
      (m: { annotations: Record<string, string>; digest: string }) => [m.annotations[REF_NAME], m.digest],
    );
    expect(tags).toEqual([
      ['v2', v2.digest()],
      ['v1', v1b.digest()],
    ]);
    // leftover temporary files: none
    expect((await readdir(dir)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    expect((await readdir(join(dir, 'blobs', 'sha256'))).some((n) => n.includes('.tmp'))).toBe(false);
  });

  test('an untagged image is written once', async () => {
    const dir = await fresh('untagged');
    await writeOciLayout(dir, image);
    await writeOciLayout(dir, image);
    expect((await indexOf(dir)).manifests).toHaveLength(1);
  });

  test('a blob whose bytes do not match its digest is not stored', async () => {
    const dir = await fresh('badblob');
    const liar = { ...layers[0]!, open: () => Readable.from([Buffer.from('not the layer')]) };
    await expect(writeBlob(dir, liar)).rejects.toBeInstanceOf(VerificationError);
    expect(await readdir(join(dir, 'blobs', 'sha256'))).toEqual([]);
  });

  test('a failing blob write returns only after the other writes settled', async () => {
    const dir = await fresh('failing-write');
    let slowRunning = false;
    const slow: Layer = {
      ...layers[1]!,
      open: () =>
        Readable.from(
          (async function* () {
            slowRunning = true;
            try {
              await new Promise((r) => setTimeout(r, 300));
              for await (const c of layers[1]!.open()) yield c;
            } finally {
              slowRunning = false;
            }
          })(),
        ),
    };
    const liar: Layer = { ...layers[0]!, open: () => Readable.from([Buffer.from('not the layer')]) };
    const img = emptyImage(parsePlatform('linux/amd64')).appendLayer(slow).appendLayer(liar);
    await expect(writeOciLayout(dir, img, { concurrency: 3 })).rejects.toBeInstanceOf(VerificationError);
    expect(slowRunning).toBe(false);
    const blobs = join(dir, 'blobs', 'sha256');
    const after = (await readdir(blobs)).sort();
    expect(after).toEqual([layers[1]!.digest.slice(7)]);
    await new Promise((r) => setTimeout(r, 400));
    expect((await readdir(blobs)).sort()).toEqual(after);
  });

  test('refuses a layout of another version', async () => {
    const dir = await fresh('v2layout');
    await writeOciLayout(dir, image);
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await expect(writeOciLayout(dir, image)).rejects.toThrow(/version "2.0.0"/);
    await expect(readOciLayout(dir)).rejects.toThrow(/only 1.0.0 is read/);
  });
});

describe('writeOciLayoutIndex', () => {
  test("writes every platform's blobs and manifest, then the index under the tag; each platform reads back", async () => {
    const dir = await fresh('multi');
    const arm = image.withConfig((c) => {
      c.architecture = 'arm64';
    });
    const built = makeIndex([image, arm].map((i) => indexEntry(i.descriptor(), i.platform)));
    const desc = await writeOciLayoutIndex(dir, built, [image, arm], { tag: 'v2' });
    expect(desc).toEqual({
      mediaType: MediaType.OciIndex,
      digest: built.digest,
      size: built.bytes.length,
      annotations: { [REF_NAME]: 'v2' },
    });
    expect((await indexOf(dir)).manifests).toEqual([desc]);
    expect(await readFile(blobPath(dir, built.digest))).toEqual(built.bytes);
    const blobs = await readdir(join(dir, 'blobs', 'sha256'));
    expect(blobs.sort()).toEqual(
      [
        built.digest,
        image.digest(),
        arm.digest(),
        image.configDescriptor().digest,
        arm.configDescriptor().digest,
        layers[0]!.digest,
        layers[1]!.digest,
      ]
        .map((d) => d.slice(7))
        .sort(),
    );
    const back = await readOciLayout(dir, { tag: 'v2', platform: parsePlatform('linux/arm64') });
    expect(back.digest()).toBe(arm.digest());
    expect((await readOciLayout(dir, { tag: 'v2', platform: parsePlatform('linux/amd64') })).digest()).toBe(
      image.digest(),
    );
    await expect(readOciLayout(dir, { tag: 'v2', platform: parsePlatform('linux/s390x') })).rejects.toThrow(
      /no image for platform linux\/s390x.*it has linux\/amd64, linux\/arm64/,
    );
  });
});

describe('readOciLayout', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fresh('read');
    await writeOciLayout(dir, image, { tag: 'latest' });
  });

  test('reads back the same image: digest, config bytes, layers', async () => {
    const back = await readOciLayout(dir, { tag: 'latest' });
    expect(back.digest()).toBe(image.digest());
    expect(back.configBlob().equals(image.configBlob())).toBe(true);
    expect(back.config.config.Cmd).toEqual(['/bin/a']);
    expect(back.layers.map((l) => [l.digest, l.diffId, l.size, l.mediaType])).toEqual(
      layers.map((l) => [l.digest, l.diffId, l.size, l.mediaType]),
    );
    expect((await readStream(back.layers[1]!.openUncompressed())).equals(tars[1]!)).toBe(true);
    // and can be edited like any image
    expect(back.addHistory({ created_by: 'ENV' }).digest()).not.toBe(image.digest());
  });

  test('the only image needs no tag; a missing tag lists the tags', async () => {
    expect((await readOciLayout(dir)).digest()).toBe(image.digest());
    await expect(readOciLayout(dir, { tag: 'nope' })).rejects.toThrow(
      /no image tagged "nope"; its tags: latest/,
    );
  });

  test('several images need a tag', async () => {
    const d = await fresh('two');
    await writeOciLayout(d, image, { tag: 'a' });
    await writeOciLayout(d, image.addHistory({ created_by: 'x' }), { tag: 'b' });
    await expect(readOciLayout(d)).rejects.toThrow(/holds 2 images; name one by tag \(a, b\)/);
  });

  test('a corrupt manifest is refused; a corrupt layer fails when opened', async () => {
    const d = await fresh('corrupt');
    await writeOciLayout(d, image, { tag: 't' });
    const layerFile = blobPath(d, layers[1]!.digest);
    const bytes = await readFile(layerFile);
    bytes[20] ^= 0xff;
    await writeFile(layerFile, bytes);
    const img = await readOciLayout(d, { tag: 't' });
    await expect(readStream(img.layers[1]!.open())).rejects.toBeInstanceOf(VerificationError);
    await writeFile(blobPath(d, image.digest()), Buffer.concat([image.manifestBytes(), Buffer.from(' ')]));
    await expect(readOciLayout(d, { tag: 't' })).rejects.toThrow(/the layout is corrupt/);
  });

  test('a digest in index.json cannot point outside blobs/', async () => {
    const d = await fresh('evil');
    await writeOciLayout(d, image, { tag: 't' });
    const index = await indexOf(d);
    index.manifests[0].digest = 'sha256:../../../../etc/passwd';
    await writeFile(join(d, 'index.json'), JSON.stringify(index));
    await expect(readOciLayout(d, { tag: 't' })).rejects.toThrow(/invalid digest/);
  });

  test('a nested index resolves to the wanted platform', async () => {
    const d = await fresh('multi');
    const arm = emptyImage(parsePlatform('linux/arm64'))
      .appendLayer(layers[0]!)
      .withConfig((c) => {
        c.config.Cmd = ['arm'];
      });
    for (const img of [image, arm]) {
      await writeOciLayout(d, img); // blobs (and an untagged entry)
    }
    const child = Buffer.from(
      encodeIndex({
        schemaVersion: 2,
        mediaType: MediaType.OciIndex,
        manifests: [image.descriptor(), arm.descriptor()],
      }),
    );
    const childDigest = parseDigest(sha256Of(child));
    await writeFile(blobPath(d, childDigest), child);
    await writeFile(
      join(d, 'index.json'),
      encodeIndex({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: MediaType.OciIndex,
            digest: childDigest,
            size: child.length,
            annotations: { [REF_NAME]: 'multi' },
          },
        ],
      }),
    );
    const got = await readOciLayout(d, { tag: 'multi', platform: parsePlatform('linux/aarch64') });
    expect(got.digest()).toBe(arm.digest());
    expect(got.config.config.Cmd).toEqual(['arm']);
    await expect(readOciLayout(d, { tag: 'multi', platform: parsePlatform('linux/s390x') })).rejects.toThrow(
      /linux\/amd64, linux\/arm64/,
    );
  });

  test('a directory that is no layout says so', async () => {
    const d = await fresh('empty');
    await expect(readOciLayout(d)).rejects.toThrow(OciLayoutError);
    await expect(readOciLayout(d)).rejects.toThrow(/is not an OCI image layout/);
  });
});
