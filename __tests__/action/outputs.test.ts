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
