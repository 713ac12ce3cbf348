import { describe, expect, test } from '@jest/globals';
import { byteOrder, decodeName, encodeName, hasRawBytes, osPath } from '../../src/fs/byte-names.js';

describe('byte-exact names', () => {
  test('UTF-8 names are ordinary strings; other bytes survive a round trip', () => {
    expect(decodeName(Buffer.from('café ☕ 😀'))).toBe('café ☕ 😀');
    expect(hasRawBytes('café ☕ 😀')).toBe(false);
    expect(osPath('café')).toBe('café');
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
    const s = decodeName(latin1);
    expect(s).toBe('caf\udce9');
    expect(hasRawBytes(s)).toBe(true);
    expect(encodeName(s)).toEqual(latin1);
    expect(osPath(s)).toEqual(latin1);
  });

  test('every byte string round-trips (overlongs, encoded surrogates, truncated sequences, > U+10FFFF)', () => {
    const cases = [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xe2, 0x82],
      [0xf4, 0x90, 0x80, 0x80],
      [0xff, 0x41, 0xe2, 0x82, 0xac, 0x80],
    ].map((b) => Buffer.from(b));
    let seed = 7;
    for (let n = 0; n < 500; n++) {
      cases.push(
        Buffer.from(
          Array.from({ length: 1 + (n % 12) }, () => {
            seed = (seed * 1103515245 + 12345) % 2147483648;
            return 1 + (seed % 255);
          }),
        ),
      );
    }
    for (const b of cases) expect(encodeName(decodeName(b))).toEqual(b);
  });

  test('names sort by their bytes', () => {
    const names = [Buffer.from([0x61, 0xff]), Buffer.from('aé'), Buffer.from('a\u{1F600}'), Buffer.from('b')];
    const sorted = names.map(decodeName).sort(byteOrder).map(encodeName);
    expect(sorted).toEqual([...names].sort(Buffer.compare));
  });
});
