import { describe, expect, test } from '@jest/globals';
import { TarFormatError, TarUnsupportedError } from '../../src/archive/errors.js';
import {
  checksumMatches,
  computeChecksum,
  FIELD,
  formatPaxRecord,
  formatPaxTime,
  parseNumeric,
  parsePaxRecords,
  parsePaxTime,
  writeBase256,
  writeChecksum,
} from '../../src/archive/tar-format.js';
import { readTar } from '../../src/archive/tar-reader.js';
import { encodeHeader, TAR_END, tarPadding } from '../../src/archive/tar-writer.js';
import { bufferStream, dir, file, h, hardlink, listTar, symlink, tarBytes } from './helpers.js';

/** An extension header ('x', 'g', 'L', 'K', or any typeflag) with its data. */
function ext(flag: string, data: Buffer, name = 'ext'): Buffer {
  const block = Buffer.from(encodeHeader(h(name, 'file', { size: data.length })));
  block.write(flag, 156, 1, 'latin1');
  writeChecksum(block);
  return Buffer.concat([block, data, tarPadding(data.length)]);
}
const pax = (records: Record<string, string | Buffer>) =>
  Buffer.concat(Object.entries(records).map(([k, v]) => formatPaxRecord(k, v)));
const entryBytes = (name: string, body: string, extra = {}) => {
  const b = Buffer.from(body);
  return Buffer.concat([
    encodeHeader(h(name, 'file', { size: b.length, ...extra })),
    b,
    tarPadding(b.length),
  ]);
};

describe('numbers, PAX records and times', () => {
  test('octal and base-256 fields', () => {
    expect(parseNumeric(Buffer.from('0000755\0'))).toBe(0o755);
    expect(parseNumeric(Buffer.from('  755 \0'))).toBe(0o755);
    expect(parseNumeric(Buffer.from('\0\0\0\0'))).toBe(0);
    const b = Buffer.alloc(8);
    writeBase256(b, [0, 8], 3_000_000_000);
    expect(parseNumeric(b)).toBe(3_000_000_000);
    writeBase256(b, [0, 8], -1);
    expect(parseNumeric(b)).toBe(-1);
    expect(() => parseNumeric(Buffer.from('12x4\0'))).toThrow(/invalid octal/);
  });

  test('PAX record lengths count themselves, including at digit boundaries', () => {
    for (let n = 0; n < 120; n++) {
      const rec = formatPaxRecord('k', 'v'.repeat(n));
      expect(Number(rec.toString('latin1').split(' ')[0])).toBe(rec.length);
      expect(parsePaxRecords(rec).get('k')!.toString()).toBe('v'.repeat(n));
    }
  });

  test('binary PAX values stay raw; malformed records are rejected', () => {
    const bin = Buffer.from([0, 0xff, 0x0a, 0x3d]);
    expect(parsePaxRecords(formatPaxRecord('SCHILY.xattr.user.b', bin)).get('SCHILY.xattr.user.b')).toEqual(
      bin,
    );
    expect(() => parsePaxRecords(Buffer.from('99 path=x\n'))).toThrow(/overruns/);
    expect(() => parsePaxRecords(Buffer.from('x path=x\n'))).toThrow(/length/);
  });

  test.each([
    ['1700000000', { sec: 1700000000, nsec: 0 }],
    ['1700000000.5', { sec: 1700000000, nsec: 500000000 }],
    ['1700000000.123456789123', { sec: 1700000000, nsec: 123456789 }],
    ['-1.5', { sec: -2, nsec: 500000000 }],
    ['-3', { sec: -3, nsec: 0 }],
  ])('PAX time %s', (text, t) => {
    expect(parsePaxTime(text)).toEqual(t);
    expect(parsePaxTime(formatPaxTime(t))).toEqual(t);
  });
});

describe('readTar', () => {
  test('reads what the writer wrote, whatever the chunking', async () => {
    const entries = [
      dir('d', { mode: 0o1777 }),
      file('d/f', 'hello', { mode: 0o4755, uid: 1000, gid: 1001, mtime: { sec: 1_700_000_000, nsec: 5 } }),
      file('d/' + 'n'.repeat(150) + '/é' + 'x'.repeat(120), 'long name'),
      symlink('d/s', '/' + 't'.repeat(300)),
      hardlink('d/h', 'd/f'),
      { header: h('d/c', 'char', { devmajor: 1, devminor: 3 }) },
      { header: h('d/b', 'block', { devmajor: 8, devminor: 1 }) },
      { header: h('d/p', 'fifo') },
      file('d/big-ids', 'x', { uid: 3_000_000, gid: 2_097_152 }),
      file('d/xa', 'x', {
        xattrs: { 'user.bin': Buffer.from([0, 1, 255]), 'security.capability': Buffer.from('cap') },
      }),
      file('d/empty', ''),
      file('d/block-sized', Buffer.alloc(1024, 1)),
    ];
    const bytes = await tarBytes(entries);
    for (const chunk of [1, 511, 512, 7919, 1 << 20]) {
      const listed = await listTar(bufferStream(bytes, chunk));
      expect(listed.map((e) => e.name)).toEqual([
        'd/',
        'd/f',
        'd/' + 'n'.repeat(150) + '/é' + 'x'.repeat(120),
        'd/s',
        'd/h',
        'd/c',
        'd/b',
        'd/p',
        'd/big-ids',
        'd/xa',
        'd/empty',
        'd/block-sized',
      ]);
      expect(listed[0]).toMatchObject({ type: 'dir', mode: 0o1777 });
      expect(listed[1]).toMatchObject({
        mode: 0o4755,
        uid: 1000,
        gid: 1001,
        mtime: '1700000000.000000005',
        size: 5,
      });
      expect(listed[3]).toMatchObject({ type: 'symlink', linkname: '/' + 't'.repeat(300) });
      expect(listed[4]).toMatchObject({ type: 'hardlink', linkname: 'd/f', size: 0 });
      expect(listed[5]).toMatchObject({ type: 'char', dev: '1,3' });
      expect(listed[6]).toMatchObject({ type: 'block', dev: '8,1' });
      expect(listed[7]).toMatchObject({ type: 'fifo' });
      expect(listed[8]).toMatchObject({ uid: 3_000_000, gid: 2_097_152 });
      expect(listed[9]!.xattrs).toEqual({ 'user.bin': 'AAH/', 'security.capability': 'Y2Fw' });
      expect(listed[10]).toMatchObject({ size: 0 });
      expect(listed[11]).toMatchObject({ size: 1024 });
    }
  });

  test('global PAX headers apply to later entries; per-entry records win, empty values unset', async () => {
    const bytes = Buffer.concat([
      ext('g', pax({ uname: 'globaluser', mtime: '1234.5', 'SCHILY.xattr.user.g': 'G' })),
      entryBytes('a', 'A'),
      ext('x', pax({ uname: 'local', 'SCHILY.xattr.user.g': '', path: 'renamed' })),
      entryBytes('b', 'B'),
      entryBytes('c', 'C'),
      TAR_END,
    ]);
    const [a, b, c] = await listTar(bufferStream(bytes));
    expect(a).toMatchObject({ name: 'a', mtime: '1234.500000000', xattrs: { 'user.g': 'Rw==' } });
    expect(b).toMatchObject({ name: 'renamed', mtime: '1234.500000000' });
    expect(b!.xattrs).toBeUndefined();
    expect(c).toMatchObject({ name: 'c', xattrs: { 'user.g': 'Rw==' } });
  });

  test('GNU long names and link names (L/K), PAX path over them', async () => {
    const long = 'l/'.repeat(80) + 'file';
    const bytes = Buffer.concat([
      ext('L', Buffer.from(long + '\0'), '././@LongLink'),
      entryBytes('short', 'data'),
      ext('K', Buffer.from('target/'.repeat(30) + '\0'), '././@LongLink'),
      ext('L', Buffer.from('sym\0'), '././@LongLink'),
      encodeHeader(h('x', 'symlink', { linkname: 'ignored' })),
      TAR_END,
    ]);
    const [f, s] = await listTar(bufferStream(bytes));
    expect(f).toMatchObject({ name: long, size: 4 });
    expect(s).toMatchObject({ name: 'sym', type: 'symlink', linkname: 'target/'.repeat(30) });
  });

  test('checksumMatches: the unsigned sum, or the signed one old tars wrote; nothing else', () => {
    const block = Buffer.from(encodeHeader(h('cafe', 'file', { size: 0 })));
    block[3] = 0xe9; // a Latin-1 byte above 127 in the name: the two sums differ
    writeChecksum(block);
    expect(checksumMatches(block)).toBe(true);
    const { signed, unsigned } = computeChecksum(block);
    expect(signed).not.toBe(unsigned);
    block.write(`${signed.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
    expect(checksumMatches(block)).toBe(true);
    block[0] ^= 1;
    expect(checksumMatches(block)).toBe(false);
    expect(checksumMatches(Buffer.alloc(512))).toBe(false);
    expect(checksumMatches(Buffer.alloc(100))).toBe(false);
  });

  test('base-256 numbers (GNU) in size, uid and mtime', async () => {
    const block = Buffer.from(encodeHeader(h('n', 'file', { size: 3 })));
    writeBase256(block, FIELD.uid, 5_000_000_000);
    writeBase256(block, FIELD.size, 3);
    writeBase256(block, FIELD.mtime, -100);
    writeChecksum(block);
    const [e] = await listTar(
      bufferStream(Buffer.concat([block, Buffer.from('abc'), tarPadding(3), TAR_END])),
    );
    expect(e).toMatchObject({ uid: 5_000_000_000, size: 3, mtime: '-100.000000000' });
  });

  test('a header for 9 GiB is read; the missing data is reported, naming the entry', async () => {
    const header = encodeHeader(h('huge', 'file', { size: 9 * 2 ** 30 }));
    expect(header.length).toBe(1536); // PAX size record in front
    const it = readTar(bufferStream(Buffer.concat([header, Buffer.alloc(1 << 20)]), 65536));
    const first = await it.next();
    expect(first.value!.header.size).toBe(9 * 2 ** 30);
    const err = await first.value!.skip().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TarFormatError);
    expect(String(err)).toMatch(/entry "huge".*ends inside the entry's data/);
  });

  test('bodies left unread are skipped; the Readable body works', async () => {
    const bytes = await tarBytes([file('a', 'x'.repeat(5000)), file('b', 'bee'), file('c', 'sea')]);
    const names: string[] = [];
    let bBody = '';
    for await (const e of readTar(bufferStream(bytes, 100))) {
      names.push(e.header.name);
      if (e.header.name === 'b') for await (const c of e.body) bBody += c.toString();
    }
    expect(names).toEqual(['a', 'b', 'c']);
    expect(bBody).toBe('bee');
  });

  test('old-style regular entries with a trailing slash are directories; EOF without zero blocks is accepted', async () => {
    const block = Buffer.from(encodeHeader(h('olddir/', 'file')));
    block[156] = 0;
    writeChecksum(block);
    const listed = await listTar(bufferStream(Buffer.concat([block, entryBytes('olddir/f', 'x')])));
    expect(listed.map((e) => [e.name, e.type])).toEqual([
      ['olddir/', 'dir'],
      ['olddir/f', 'file'],
    ]);
  });

  test.each([
    [
      'checksum mismatch',
      async () => {
        const b = Buffer.from(encodeHeader(h('bad', 'file')));
        b[0] = 'B'.charCodeAt(0);
        return Buffer.concat([entryBytes('ok', 'fine'), b, TAR_END]);
      },
      TarFormatError,
      /entry "Bad" at offset 1024: header checksum mismatch/,
    ],
    ['data instead of a tar', async () => Buffer.alloc(2048, 0x41), TarFormatError, /not a tar archive/],
    [
      'truncated body',
      async () => (await tarBytes([file('cut', 'x'.repeat(2000))])).subarray(0, 1000),
      TarFormatError,
      /entry "cut".*ends inside the entry's data/,
    ],
    [
      'truncated header',
      async () => (await tarBytes([file('a', 'x')])).subarray(0, 1024 + 100),
      TarFormatError,
      /ends inside a header/,
    ],
    [
      'data after one zero block',
      async () => Buffer.concat([Buffer.alloc(512), entryBytes('late', 'x')]),
      TarFormatError,
      /zero block is followed by data/,
    ],
    [
      'extension header with no entry',
      async () => Buffer.concat([ext('x', pax({ path: 'p' })), TAR_END]),
      TarFormatError,
      /extension header with no entry/,
    ],
    [
      'bad PAX record',
      async () => Buffer.concat([ext('x', Buffer.from('5 a\n')), entryBytes('p', ''), TAR_END]),
      TarFormatError,
      /bad PAX header/,
    ],
    [
      'bad PAX uid',
      async () => Buffer.concat([ext('x', pax({ uid: '-5' })), entryBytes('p', ''), TAR_END]),
      TarFormatError,
      /entry "p".*bad PAX uid/,
    ],
    [
      'GNU sparse',
      async () => Buffer.concat([ext('S', Buffer.alloc(0), 'sparse'), TAR_END]),
      TarUnsupportedError,
      /sparse/,
    ],
    [
      'PAX sparse',
      async () => Buffer.concat([ext('x', pax({ 'GNU.sparse.major': '1' })), entryBytes('sp', ''), TAR_END]),
      TarUnsupportedError,
      /sparse/,
    ],
    [
      'unknown type',
      async () => Buffer.concat([ext('Z', Buffer.alloc(0), 'odd'), TAR_END]),
      TarUnsupportedError,
      /entry "odd".*unknown entry type "Z"/,
    ],
    [
      'oversized PAX header',
      async () => Buffer.concat([ext('x', Buffer.alloc(2 << 20, 0x20)), TAR_END]),
      TarFormatError,
      /exceeds/,
    ],
  ])('%s → typed error naming the entry', async (_name, make, type, message) => {
    const bytes = await make();
    const run = async () => {
      for await (const e of readTar(bufferStream(bytes))) await e.skip();
    };
    await expect(run()).rejects.toThrow(type);
    await expect(run()).rejects.toThrow(message);
  });
});
