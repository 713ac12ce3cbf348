import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Layer } from '../../src/image/blob.js';
import { encodeConfig } from '../../src/image/canonical-json.js';
import { parseDigest } from '../../src/image/digest.js';
import { ExtraMediaType } from '../../src/image/format.js';
import { emptyImage, ImageError, imageFromParts } from '../../src/image/image.js';
import { layerFromOpener, writeLayerBlob } from '../../src/image/layer.js';
import type { ImageConfig } from '../../src/image/manifest.js';
import { MediaType } from '../../src/image/media-types.js';
import { parsePlatform } from '../../src/image/platform.js';
import { readStream } from '../lab/fixtures.js';
import { gnuTarLayer, removeDir, sha256Of, tempDir } from './helpers.js';

let dir: string;
let l1: Layer;
let l2: Layer;

beforeAll(async () => {
  dir = await tempDir();
  l1 = await writeLayerBlob(Readable.from([await gnuTarLayer({ 'bin/app': 'app' })]), join(dir, 'l1'), {
    compression: 'gzip',
  });
  l2 = await writeLayerBlob(Readable.from([await gnuTarLayer({ 'etc/conf': 'x=1' })]), join(dir, 'l2'), {
    compression: 'gzip',
  });
});
afterAll(() => removeDir(dir));

const amd64 = parsePlatform('linux/amd64');

describe('emptyImage', () => {
  test('scratch: no layers, OCI by default, platform in the config', () => {
    const img = emptyImage(parsePlatform('linux/arm/v7'));
    expect(img.layers).toHaveLength(0);
    expect(img.mediaType).toBe(MediaType.OciManifest);
    expect(img.config).toMatchObject({ architecture: 'arm', os: 'linux', variant: 'v7' });
    expect(img.config.rootfs).toEqual({ type: 'layers', diff_ids: [] });
    expect(img.manifest().layers).toEqual([]);
    expect(img.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  test('Docker format when asked', () => {
    const img = emptyImage(amd64, { format: 'docker' });
    expect(img.mediaType).toBe(MediaType.DockerManifest);
    expect(img.manifest().config.mediaType).toBe(MediaType.DockerConfig);
  });
});

describe('edits return new images and leave the old ones alone', () => {
  test('appendLayer adds the diffID, the history entry and the layer', () => {
    const base = emptyImage(amd64);
    const one = base.appendLayer(l1, { created_by: 'COPY app /bin/app', created: '2024-01-01T00:00:00Z' });
    const two = one.appendLayer(l2, { created_by: 'RUN conf' });
    expect(base.layers).toHaveLength(0);
    expect(base.config.history).toEqual([]);
    expect(one.layers).toEqual([l1]);
    expect(two.layers).toEqual([l1, l2]);
    expect(two.config.rootfs.diff_ids).toEqual([l1.diffId, l2.diffId]);
    expect(two.config.history).toEqual([
      { created: '2024-01-01T00:00:00Z', created_by: 'COPY app /bin/app' },
      { created_by: 'RUN conf' },
    ]);
    expect(one.digest()).not.toBe(two.digest());
  });

  test('addHistory marks the entry empty_layer', () => {
    const img = emptyImage(amd64).addHistory({ created_by: 'ENV A=1' });
    expect(img.config.history).toEqual([{ created_by: 'ENV A=1', empty_layer: true }]);
    expect(img.layers).toHaveLength(0);
    expect(() => emptyImage(amd64).appendLayer(l1, { empty_layer: true })).toThrow(ImageError);
  });

  test('withConfig: the edit gets a copy; in-place edits and returned configs both work', () => {
    const base = emptyImage(amd64);
    const a = base.withConfig((c) => {
      c.config.Env = ['A=1'];
      c.config.Cmd = ['sh'];
    });
    const b = a.withConfig((c) => ({ ...c, config: { ...c.config, Labels: { x: 'y' } } }));
    expect(base.config.config).toEqual({});
    expect(a.config.config).toEqual({ Env: ['A=1'], Cmd: ['sh'] });
    expect(b.config.config).toEqual({ Env: ['A=1'], Cmd: ['sh'], Labels: { x: 'y' } });
  });

  test('configs are frozen: no edit by accident', () => {
    const img = emptyImage(amd64).withConfig((c) => {
      c.config.Env = ['A=1'];
    });
    expect(() => {
      (img.config.config.Env as string[]).push('B=2');
    }).toThrow(/not extensible|read only|frozen/);
    expect(() => {
      (img.layers as Layer[]).push(l1);
    }).toThrow(/not extensible|read only|frozen/);
  });

  test('withConfig cannot change rootfs or drop os/architecture', () => {
    const img = emptyImage(amd64).appendLayer(l1);
    expect(() =>
      img.withConfig((c) => {
        c.rootfs.diff_ids = [];
      }),
    ).toThrow(/rootfs follows the layers/);
    expect(() =>
      img.withConfig((c) => {
        c.os = '';
      }),
    ).toThrow(/os and architecture/);
  });
});

describe('config, manifest and digest', () => {
  const img = () =>
    emptyImage(amd64)
      .appendLayer(l1, { created_by: 'COPY' })
      .addHistory({ created_by: 'CMD' })
      .withConfig((c) => {
        c.config.Cmd = ['/bin/app'];
        c.created = '2024-01-01T00:00:00Z';
      });

  test('configBlob is the canonical encoding; the descriptor matches it', () => {
    const i = img();
    const bytes = i.configBlob();
    expect(bytes.toString()).toBe(encodeConfig(i.config as ImageConfig));
    expect(i.configDescriptor()).toEqual({
      mediaType: MediaType.OciConfig,
      digest: sha256Of(bytes),
      size: bytes.length,
    });
    bytes[0] = 0; // a caller's copy: the image is not affected
    expect(i.configBlob()[0]).toBe('{'.charCodeAt(0));
  });

  test('manifest names the config and layers; digest is sha256 of manifestBytes', () => {
    const i = img();
    const m = i.manifest();
    expect(m.schemaVersion).toBe(2);
    expect(m.mediaType).toBe(MediaType.OciManifest);
    expect(m.config.digest).toBe(i.configDescriptor().digest);
    expect(m.layers).toEqual([{ mediaType: MediaType.OciLayerGzip, digest: l1.digest, size: l1.size }]);
    expect(i.digest()).toBe(sha256Of(i.manifestBytes()));
    expect(JSON.parse(i.manifestBytes().toString())).toEqual(m);
    expect(i.descriptor()).toEqual({
      mediaType: MediaType.OciManifest,
      digest: i.digest(),
      size: i.manifestBytes().length,
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(i.totalSize()).toBe(i.manifestBytes().length + i.configBlob().length + l1.size);
  });

  test('equal builds give equal digests', () => {
    expect(img().digest()).toBe(img().digest());
  });

  test('configAsBlob streams the config bytes', async () => {
    const i = img();
    const blob = i.configAsBlob();
    expect((await readStream(blob.open())).equals(i.configBlob())).toBe(true);
    expect(blob.digest).toBe(i.configDescriptor().digest);
  });
});

describe('manifest formats convert layer descriptors, never bytes', () => {
  const dockerLayer = () =>
    layerFromOpener(
      { mediaType: MediaType.DockerLayerGzip, digest: l2.digest, diffId: l2.diffId, size: l2.size },
      () => l2.open(),
    );

  test('OCI manifest: a Docker gzip layer is named as OCI gzip', () => {
    const i = emptyImage(amd64).appendLayer(l1).appendLayer(dockerLayer());
    expect(i.manifest().layers.map((l) => l.mediaType)).toEqual([
      MediaType.OciLayerGzip,
      MediaType.OciLayerGzip,
    ]);
  });

  test('Docker manifest: OCI gzip named as Docker gzip, config type follows', () => {
    const i = emptyImage(amd64).appendLayer(l1).appendLayer(dockerLayer()).withFormat('docker');
    const m = i.manifest();
    expect(m.mediaType).toBe(MediaType.DockerManifest);
    expect(m.config.mediaType).toBe(MediaType.DockerConfig);
    expect(m.layers.map((l) => l.mediaType)).toEqual([MediaType.DockerLayerGzip, MediaType.DockerLayerGzip]);
    expect(m.layers.map((l) => l.digest)).toEqual([l1.digest, l2.digest]);
    // the layer objects keep their own type
    expect(i.layers[0]!.mediaType).toBe(MediaType.OciLayerGzip);
  });

  test('uncompressed and foreign layers convert both ways', () => {
    const mk = (mediaType: string) =>
      layerFromOpener({ mediaType, digest: l1.digest, diffId: l1.diffId, size: l1.size }, () => l1.open());
    const i = emptyImage(amd64)
      .appendLayer(mk(ExtraMediaType.DockerLayer))
      .appendLayer(mk(MediaType.DockerForeignLayerGzip));
    expect(i.manifest().layers.map((l) => l.mediaType)).toEqual([
      MediaType.OciLayer,
      ExtraMediaType.OciNondistributableGzip,
    ]);
    expect(
      i
        .withFormat('docker')
        .manifest()
        .layers.map((l) => l.mediaType),
    ).toEqual([ExtraMediaType.DockerLayer, MediaType.DockerForeignLayerGzip]);
  });

  test('zstd layers cannot go Docker: the error says what to do', () => {
    const z = layerFromOpener(
      { mediaType: MediaType.OciLayerZstd, digest: l1.digest, diffId: l1.diffId, size: l1.size },
      () => l1.open(),
    );
    expect(() => emptyImage(amd64).appendLayer(z).withFormat('docker')).toThrow(
      /push OCI media types or compress layers with gzip/,
    );
  });

  test('layer urls and annotations are carried into the descriptor', () => {
    const l = layerFromOpener(
      { ...l1, mediaType: l1.mediaType, urls: ['https://example.com/l'], annotations: { k: 'v' } },
      () => l1.open(),
    );
    expect(emptyImage(amd64).appendLayer(l).manifest().layers[0]).toEqual({
      mediaType: MediaType.OciLayerGzip,
      digest: l1.digest,
      size: l1.size,
      urls: ['https://example.com/l'],
      annotations: { k: 'v' },
    });
  });

  test('manifest annotations: OCI only, replaceable and clearable', () => {
    const i = emptyImage(amd64).withAnnotations({ 'org.opencontainers.image.source': 'https://x' });
    expect(i.manifest().annotations).toEqual({ 'org.opencontainers.image.source': 'https://x' });
    expect(() => i.withFormat('docker')).toThrow(/no annotations/);
    expect(i.withAnnotations(undefined).withFormat('docker').manifest().annotations).toBeUndefined();
  });
});

describe('imageFromParts', () => {
  const pulled = () => {
    const original = emptyImage(amd64, { format: 'docker' })
      .appendLayer(l1, { created_by: 'base' })
      .withConfig((c) => {
        c.config.Cmd = ['sh'];
      });
    // A pulled config in another key order (not Kiln's encoding): its bytes must survive.
    const config = Buffer.from(
      JSON.stringify({ ...JSON.parse(original.configBlob().toString()), zzz: 1 }, null, 2),
    );
    const manifest = Buffer.from(
      JSON.stringify(
        {
          schemaVersion: 2,
          mediaType: MediaType.DockerManifest,
          config: { mediaType: MediaType.DockerConfig, size: config.length, digest: sha256Of(config) },
          layers: [{ mediaType: MediaType.DockerLayerGzip, size: l1.size, digest: l1.digest }],
        },
        null,
        3,
      ),
    );
    return { config, manifest };
  };

  test('keeps the pulled config and manifest bytes, and so the digest', () => {
    const { config, manifest } = pulled();
    const img = imageFromParts(MediaType.DockerManifest, config, [l1], { manifest });
    expect(img.configBlob().equals(config)).toBe(true);
    expect(img.manifestBytes().equals(manifest)).toBe(true);
    expect(img.digest()).toBe(sha256Of(manifest));
    expect(img.config.config.Cmd).toEqual(['sh']);
  });

  test('a change re-encodes: config canonical, manifest new; unknown config keys survive', () => {
    const { config, manifest } = pulled();
    const img = imageFromParts(MediaType.DockerManifest, config, [l1], { manifest });
    const next = img.appendLayer(l2, { created_by: 'RUN' });
    expect(next.digest()).not.toBe(img.digest());
    expect(JSON.parse(next.configBlob().toString()).zzz).toBe(1);
    expect(next.manifest().layers.map((l) => l.digest)).toEqual([l1.digest, l2.digest]);
    // Only the format changed: config bytes are the same document, the manifest is new.
    const oci = img.withFormat('oci');
    expect(oci.configBlob().equals(config)).toBe(true);
    expect(oci.manifest().mediaType).toBe(MediaType.OciManifest);
    expect(oci.manifest().config.mediaType).toBe(MediaType.OciConfig);
  });

  test('a config object is accepted', () => {
    const cfg = JSON.parse(pulled().config.toString()) as ImageConfig;
    const img = imageFromParts(MediaType.OciManifest, cfg, [l1]);
    expect(img.config.rootfs.diff_ids).toEqual([l1.diffId]);
  });

  test.each([
    ['a diffID that differs from the config', () => [pulled().config, [l2]], /has diffID/],
    [
      'a layer count that differs',
      () => [pulled().config, [l1, l2]],
      /lists 1 diff_ids but the manifest has 2/,
    ],
    ['a config that is not JSON', () => [Buffer.from('{nope'), [l1]], /not valid JSON/],
    ['a config without os', () => [Buffer.from('{"architecture":"amd64"}'), [l1]], /no os or architecture/],
  ] as const)('rejects %s', (_what, parts, message) => {
    const [config, layers] = parts() as [Buffer, Layer[]];
    expect(() => imageFromParts(MediaType.DockerManifest, config, layers)).toThrow(message);
  });

  test('rejects a manifest that does not match the parts', () => {
    const { config, manifest } = pulled();
    const other = Buffer.concat([config, Buffer.from(' ')]);
    expect(() => imageFromParts(MediaType.DockerManifest, other, [l1], { manifest })).toThrow(
      /the manifest names config/,
    );
    const m = JSON.parse(manifest.toString());
    m.layers[0].size += 1;
    expect(() =>
      imageFromParts(MediaType.DockerManifest, config, [l1], { manifest: Buffer.from(JSON.stringify(m)) }),
    ).toThrow(/manifest layer 0/);
    expect(() => imageFromParts(MediaType.OciManifest, config, [l1], { manifest })).toThrow(/served as/);
  });

  test('rejects a media type that is not an image manifest', () => {
    expect(() => imageFromParts(MediaType.OciIndex, pulled().config, [l1])).toThrow(/not an image manifest/);
  });

  test('a layer digest is never trusted blindly', () => {
    expect(() => parseDigest('sha256:../../etc/passwd')).toThrow();
  });
});
