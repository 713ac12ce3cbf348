import { describe, expect, test } from '@jest/globals';
import { baseKey, CacheKeyBuilder } from '../../src/cache/key.js';

const key = (parent: string, fields: [string, string][]) => {
  const b = new CacheKeyBuilder(parent);
  for (const [n, v] of fields) b.field(n, v);
  return b.digest();
};

describe('cache keys', () => {
  test('are 64 hex characters and deterministic', () => {
    const k = key('p', [['run', 'echo hi']]);
    expect(k).toMatch(/^[a-f0-9]{64}$/);
    expect(key('p', [['run', 'echo hi']])).toBe(k);
  });

  test('framing keeps field boundaries apart', () => {
    expect(key('p', [['a', 'bc']])).not.toBe(key('p', [['ab', 'c']]));
    expect(
      key('p', [
        ['a', 'b'],
        ['c', ''],
      ]),
    ).not.toBe(key('p', [['a', 'bc']]));
    expect(new CacheKeyBuilder('p').list('env', ['A=1', 'B=2']).digest()).not.toBe(
      new CacheKeyBuilder('p').list('env', ['A=1B=2']).digest(),
    );
  });

  test('the parent key changes every descendant', () => {
    expect(key('p1', [['run', 'x']])).not.toBe(key('p2', [['run', 'x']]));
  });

  test('base keys depend on the base identity and platform', () => {
    expect(baseKey('sha256:a', 'linux/amd64')).not.toBe(baseKey('sha256:a', 'linux/arm64'));
    expect(baseKey('sha256:a', 'linux/amd64')).not.toBe(baseKey('sha256:b', 'linux/amd64'));
  });
});
