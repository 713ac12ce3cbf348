import { describe, expect, test } from '@jest/globals';
import { parseChallenges, pickChallenge } from '../../src/registry/challenge.js';

describe('WWW-Authenticate parsing', () => {
  test('Bearer with quoted params holding commas', () => {
    const [c] = parseChallenges(
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/r:pull,push"',
    );
    expect(c).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:o/r:pull,push' },
    });
  });

  test('Basic, unquoted values, escapes, spaces', () => {
    expect(parseChallenges('Basic realm=registry')).toEqual([
      { scheme: 'basic', params: { realm: 'registry' } },
    ]);
    expect(parseChallenges('Bearer  realm = "a\\"b" , error="insufficient_scope"')[0]!.params).toEqual({
      realm: 'a"b',
      error: 'insufficient_scope',
    });
  });

  test('several challenges in one header or several headers; Bearer preferred', () => {
    const cs = parseChallenges(['Basic realm="x"', 'Bearer realm="https://t/token",service="s"']);
    expect(cs.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(pickChallenge(cs)?.scheme).toBe('bearer');
    const one = parseChallenges('Basic realm="x", Bearer realm="y"');
    expect(one.map((c) => [c.scheme, c.params.realm])).toEqual([
      ['basic', 'x'],
      ['bearer', 'y'],
    ]);
  });

  test('absent or empty', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
    expect(pickChallenge([])).toBeUndefined();
  });
});
