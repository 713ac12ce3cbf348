import { describe, expect, test } from '@jest/globals';
import { hasMeta, matchSegment } from '../../../src/executor/steps/path-match.js';

// Cases from Go's path.Match tests.
describe('matchSegment follows Go path.Match', () => {
  test.each([
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*/b', 'abc/b', true],
    ['a*b*c*d*e*', 'axbxcxdxe', true],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['[\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['*.txt', 'notes.txt', true],
    ['*.txt', '.txt', true],
    ['file?.go', 'file1.go', true],
  ])('%s ~ %s → %s', (pattern, name, want) => {
    expect(matchSegment(pattern, name)).toBe(want);
  });

  test.each(['[', '[^', 'a[', '[a-', 'ab\\', '[]a]'])('%j is a bad pattern', (p) => {
    expect(() => matchSegment(p, 'x')).toThrow(/bad pattern/);
  });

  test('many stars against a long name: answered (no exponential backtracking)', () => {
    // Trying every split at every star takes seconds at 6 stars and 60 characters, and never ends at 20.
    expect(matchSegment(`${'*a'.repeat(20)}b`, 'a'.repeat(200))).toBe(false);
    expect(matchSegment(`${'*a'.repeat(20)}b`, `${'a'.repeat(200)}b`)).toBe(true);
    expect(matchSegment('*[0-9]?*.t*t', 'file-2x.tar.txt')).toBe(true);
  });

  test('hasMeta', () => {
    expect(hasMeta('plain/file.txt')).toBe(false);
    expect(hasMeta('*.js')).toBe(true);
    expect(hasMeta('a[bc]')).toBe(true);
  });
});
