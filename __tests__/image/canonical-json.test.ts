import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { encodeConfig, encodeIndex, encodeManifest, goString } from '../../src/image/canonical-json.js';
import { parseDigest } from '../../src/image/digest.js';
import type { ImageConfig, ImageManifest } from '../../src/image/manifest.js';
import { MediaType } from '../../src/image/media-types.js';

/**
 * A config written by BuildKit (Docker 20.10's builder) for a Dockerfile using
 * every config instruction, with one edit: ArgsEscaped moved after
 * StopSignal, where current BuildKit (image-spec 1.1's ImageConfig) puts it.
 */
const golden = readFileSync(join(import.meta.dirname, 'fixtures', 'buildkit-config.golden'), 'utf8');

/** Reverses key order everywhere, so the encoder cannot lean on input order. */
function scramble(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(scramble);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, scramble(x)]),
    );
  }
  return v;
}

describe('encodeConfig', () => {
  test('reproduces BuildKit bytes from any key order', () => {
    const parsed = JSON.parse(golden) as ImageConfig;
    expect(encodeConfig(parsed)).toBe(golden);
    expect(encodeConfig(scramble(parsed) as ImageConfig)).toBe(golden);
  });

  test('top-level keys sorted (BuildKit re-encodes the config as a map), unknown keys kept', () => {
    const c = {
      rootfs: { diff_ids: [], type: 'layers' },
      os: 'linux',
      'moby.buildkit.cache.v0': 'x',
      variant: 'v8',
      config: {},
      architecture: 'arm64',
      'os.version': '1',
    } as unknown as ImageConfig;
    expect(encodeConfig(c)).toBe(
      '{"architecture":"arm64","config":{},"moby.buildkit.cache.v0":"x","os":"linux","os.version":"1","rootfs":{"type":"layers","diff_ids":[]},"variant":"v8"}',
    );
  });

  test('undefined is left out, null is kept (Cmd: null from a base image)', () => {
    const c = {
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: null, Entrypoint: undefined, Extra: { b: 1, a: 2 } },
      rootfs: { type: 'layers', diff_ids: [] },
    } as unknown as ImageConfig;
    expect(encodeConfig(c)).toBe(
      '{"architecture":"amd64","config":{"Cmd":null,"Extra":{"b":1,"a":2}},"os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    );
  });
});

describe('goString', () => {
  test.each([
    ['a&b', '"a\\u0026b"'],
    ['<x>', '"\\u003cx\\u003e"'],
    ['line\u2028sep\u2029', '"line\\u2028sep\\u2029"'],
    ['tab\tquote"back\\', '"tab\\tquote\\"back\\\\"'],
    ['ünï 🐳', '"ünï 🐳"'],
  ])('%j → %s', (s, want) => {
    expect(goString(s)).toBe(want);
    expect(JSON.parse(goString(s))).toBe(s);
  });
});

const D1 = parseDigest(`sha256:${'1'.repeat(64)}`);
const D2 = parseDigest(`sha256:${'2'.repeat(64)}`);

describe('encodeManifest / encodeIndex', () => {
  test('image-spec struct order, annotations sorted', () => {
    const m = {
      layers: [{ size: 3, digest: D2, mediaType: MediaType.OciLayerGzip, annotations: { z: '1', a: '2' } }],
      annotations: { 'org.b': '1', 'org.a': '2' },
      config: { size: 2, digest: D1, mediaType: MediaType.OciConfig },
      mediaType: MediaType.OciManifest,
      schemaVersion: 2,
    } as ImageManifest;
    expect(encodeManifest(m)).toBe(
      `{"schemaVersion":2,"mediaType":"${MediaType.OciManifest}","config":{"mediaType":"${MediaType.OciConfig}","digest":"${D1}","size":2},"layers":[{"mediaType":"${MediaType.OciLayerGzip}","digest":"${D2}","size":3,"annotations":{"a":"2","z":"1"}}],"annotations":{"org.a":"2","org.b":"1"}}`,
    );
  });

  test('index entries carry platform in image-spec order', () => {
    const s = encodeIndex({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [
        {
          platform: { variant: 'v7', os: 'linux', architecture: 'arm' },
          size: 5,
          digest: D1,
          mediaType: MediaType.OciManifest,
        },
      ],
    });
    expect(s).toBe(
      `{"schemaVersion":2,"mediaType":"${MediaType.OciIndex}","manifests":[{"mediaType":"${MediaType.OciManifest}","digest":"${D1}","size":5,"platform":{"architecture":"arm","os":"linux","variant":"v7"}}]}`,
    );
  });

  test('refuses values JSON cannot hold', () => {
    expect(() => encodeManifest({ schemaVersion: 2, size: Number.NaN } as unknown as ImageManifest)).toThrow(
      /NaN/,
    );
  });
});
