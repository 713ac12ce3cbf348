import { describe, expect, test } from '@jest/globals';
import { computeOutputs } from '../../src/action/outputs.js';
import { C, D, refs, result } from './fixtures.js';

describe('outputs', () => {
  test('from a pushed build', () => {
    const out = computeOutputs(result(), refs);
    expect(out).toEqual({
      image: refs[0],
      digest: D,
      tags: `${refs[0]}\n${refs[1]}`,
      'image-tag-digest': `${refs[0]}@${D}`,
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
      durationMs: 65_000,
      'containerimage.digest': D,
      'containerimage.config.digest': C,
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

  test('skip_unchanged_digest found it: refreshed false', () => {
    expect(computeOutputs(result({ refreshed: false }), refs).refreshed).toBe('false');
  });

  test('no references at all: empty image outputs', () => {
    const out = computeOutputs(result({ references: [] }), []);
    expect([out.image, out.tags, out['image-tag-digest']]).toEqual(['', '', '']);
    expect(out.digest).toBe(D);
  });
});
