import { describe, expect, test } from '@jest/globals';
import { computeOutputs } from '../../src/action/outputs.js';
import { C, D, KEPT, refs, result, unchangedResult } from './fixtures.js';

describe('outputs', () => {
  test('from a pushed build', () => {
    const out = computeOutputs(result(), refs);
    expect(out).toEqual({
      image: refs[0],
      digest: D,
      imageid: C,
      tags: `${refs[0]}\n${refs[1]}`,
      'image-tag-digest': `${refs[0]}@${D}\n${refs[1]}@${D}`,
      metadata: expect.any(String),
      refreshed: 'true',
      platforms: '{}',
    });
    expect(JSON.parse(out.metadata)).toEqual({
      digest: D,
      configDigest: C,
      size: 12_345_678,
      layers: 3,
      cacheHits: 1,
      cacheableSteps: 2,
      references: refs,
      pushed: true,
      refreshed: true,
      builtDigest: D,
      durationMs: 65_000,
      'containerimage.digest': D,
      'containerimage.config.digest': C,
      'containerimage.descriptor': {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: D,
        size: 1234,
      },
      'image.name': refs.join(','),
    });
  });

  test('an index: each platform in `platforms` and the metadata; no config digest', () => {
    const platforms = [
      { platform: 'linux/amd64', digest: `sha256:${'1'.repeat(64)}`, configDigest: C, size: 10, layers: 2 },
      { platform: 'linux/arm64', digest: `sha256:${'2'.repeat(64)}`, configDigest: C, size: 11, layers: 2 },
    ];
    const out = computeOutputs(result({ configDigest: undefined, platforms }), refs);
    expect(JSON.parse(out.platforms)).toEqual({
      'linux/amd64': platforms[0]!.digest,
      'linux/arm64': platforms[1]!.digest,
    });
    const meta = JSON.parse(out.metadata);
    expect(meta.platforms).toEqual(platforms);
    expect(meta).not.toHaveProperty('configDigest');
    expect(meta).not.toHaveProperty(['containerimage.config.digest']);
  });

  test('pushed by digest: the references end in the digest, image-tag-digest is one of them', () => {
    const byDigest = [`ghcr.io/o/r/app@${D}`];
    const out = computeOutputs(result({ references: byDigest }), byDigest);
    expect(out['image-tag-digest']).toBe(byDigest[0]);
    expect(out.tags).toBe(byDigest[0]);
  });

  test('push: false still names the image; metadata says not pushed', () => {
    const out = computeOutputs(result({ references: [] }), refs);
    expect(out.image).toBe(refs[0]);
    expect(JSON.parse(out.metadata).pushed).toBe(false);
  });

  test('skip_unchanged_digest kept the image: refreshed and pushed false, the outputs name what stands there', () => {
    const kept = KEPT;
    const out = computeOutputs(unchangedResult(), refs);
    expect(out.refreshed).toBe('false');
    expect([out.image, out.digest, out.imageid, out.tags]).toEqual([
      kept.reference,
      kept.digest,
      kept.configDigest,
      kept.reference,
    ]);
    expect(out['image-tag-digest']).toBe(`${kept.reference}@${kept.digest}`);
    const m = JSON.parse(out.metadata);
    expect(m).toMatchObject({
      pushed: false,
      refreshed: false,
      builtDigest: D,
      'containerimage.digest': kept.digest,
      'containerimage.descriptor': { mediaType: kept.mediaType, digest: kept.digest, size: 999 },
      'image.name': kept.reference,
    });
  });

  test('no references at all: empty image outputs', () => {
    const out = computeOutputs(result({ references: [] }), []);
    expect([out.image, out.tags, out['image-tag-digest']]).toEqual(['', '', '']);
    expect(out.digest).toBe(D);
  });
});
