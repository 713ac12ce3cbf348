import { expect, test } from '@jest/globals';
import { formatBytes, formatDuration } from '../../src/action/format.js';

test.each([
  [0, '0 B'],
  [999, '999 B'],
  [1000, '1.00 kB'],
  [1536, '1.54 kB'],
  [12_345_678, '12.3 MB'],
  [999_999, '1.00 MB'],
  [123_456_789_012, '123 GB'],
  [-1, '?'],
])('formatBytes(%j) = %s', (n, s) => {
  expect(formatBytes(n)).toBe(s);
});

test.each([
  [0, '0.0s'],
  [49, '0.0s'],
  [1234, '1.2s'],
  [59_999, '60.0s'],
  [60_000, '1m 00s'],
  [125_400, '2m 05s'],
  [3_723_000, '1h 02m'],
  [Number.NaN, '?'],
])('formatDuration(%j) = %s', (ms, s) => {
  expect(formatDuration(ms)).toBe(s);
});
