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
