import { createHash } from 'node:crypto';
import {
  appendFile,
  chmod,
  link,
  lutimes,
  mkdir,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { compareLayerPaths } from '../../src/archive/entry-path.js';
import { LayerWriteError } from '../../src/archive/errors.js';
import { writeLayer, writeLayerFromEntries } from '../../src/archive/layer-writer.js';
import { readStream } from '../lab/fixtures.js';
import { listTar, tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let src: string;
const uid = process.getuid!();
const gid = process.getgid!();

beforeEach(async () => {
  tmp = await tempDir();
  src = join(tmp.path, 'upper');
  await mkdir(src);
});
afterEach(() => tmp.cleanup());

describe('layer order', () => {
  test('component-wise byte order: a directory’s subtree before siblings that sort after its name', () => {
    const paths = ['a.b', 'a/b', 'a-b', 'a', 'B', 'a/b/c', 'é', 'z', 'a0'];
    expect([...paths].sort(compareLayerPaths)).toEqual([
      'B',
      'a',
      'a/b',
      'a/b/c',
      'a-b',
      'a.b',
      'a0',
      'z',
      'é',
    ]);
  });
});

describe('writeLayer (ChangeSet)', () => {
  beforeEach(async () => {
    await mkdir(join(src, 'usr', 'bin'), { recursive: true });
    await mkdir(join(src, 'usr', 'lib'), { recursive: true });
    await writeFile(join(src, 'usr', 'bin', 'tool'), 'tool');
    await chmod(join(src, 'usr', 'bin', 'tool'), 0o4755);
    await writeFile(join(src, 'usr', 'bin', 'tool-link'), 'x');
    await writeFile(join(src, 'usr', 'lib', 'z-first'), 'shared');
    await link(join(src, 'usr', 'lib', 'z-first'), join(src, 'usr', 'bin', 'a-second'));
    await symlink('/usr/bin/tool', join(src, 'usr', 'bin', 'abs'));
    await symlink('../../etc/nowhere', join(src, 'usr', 'bin', 'rel'));
    await mkdir(join(src, 'opaque-dir'));
    await writeFile(join(src, 'opaque-dir', 'new'), 'n');
    await chmod(join(src, 'usr'), 0o750);
    for (const p of [
      'usr/bin/tool',
      'usr/bin/tool-link',
      'usr/lib/z-first',
      'opaque-dir/new',
      'opaque-dir',
    ]) {
      await utimes(join(src, p), 1_600_000_000.75, 1_600_000_000.75);
    }
    await lutimes(join(src, 'usr', 'bin', 'abs'), 1_500_000_000, 1_500_000_000);
    for (const d of ['usr/bin', 'usr/lib', 'usr']) await utimes(join(src, d), 1_400_000_000, 1_400_000_000);
  });

  const changes = () => ({
    sourceRoot: src,
    changes: [
      { kind: 'add' as const, path: 'usr/lib/z-first' },
      { kind: 'add' as const, path: 'usr/bin/tool' },
      { kind: 'add' as const, path: 'usr/bin/a-second' },
      { kind: 'add' as const, path: 'usr/bin/abs' },
      { kind: 'add' as const, path: 'usr/bin/rel' },
      { kind: 'delete' as const, path: 'usr/bin/old' },
      { kind: 'delete' as const, path: 'etc/gone/deeper' },
      { kind: 'opaque' as const, path: 'opaque-dir' },
      { kind: 'add' as const, path: 'opaque-dir' },
      { kind: 'add' as const, path: 'opaque-dir/new' },
    ],
  });

  test('sorted entries, parents with their metadata, whiteouts, opaque marker, hardlinks, verbatim symlinks', async () => {
    const listed = await listTar(writeLayer(changes()));
    expect(listed.map((e) => [e.name, e.type])).toEqual([
      ['etc/', 'dir'],
      ['etc/gone/', 'dir'],
      ['etc/gone/.wh.deeper', 'file'],
      ['opaque-dir/', 'dir'],
      ['opaque-dir/.wh..wh..opq', 'file'],
      ['opaque-dir/new', 'file'],
      ['usr/', 'dir'],
      ['usr/bin/', 'dir'],
      ['usr/bin/a-second', 'file'],
      ['usr/bin/abs', 'symlink'],
      ['usr/bin/.wh.old', 'file'],
      ['usr/bin/rel', 'symlink'],
      ['usr/bin/tool', 'file'],
      ['usr/lib/', 'dir'],
      ['usr/lib/z-first', 'hardlink'],
    ]);
    const by = Object.fromEntries(listed.map((e) => [e.name, e]));
    // Parents missing from the source root: root-owned 0755 at mtime 0.
    expect(by['etc/']).toMatchObject({ mode: 0o755, uid: 0, gid: 0, mtime: '0.000000000' });
    // Parents present: their own metadata.
    expect(by['usr/']).toMatchObject({ mode: 0o750, uid, gid, mtime: '1400000000.000000000' });
    // Mode with setuid; mtime truncated to the second (BuildKit); no user names.
    expect(by['usr/bin/tool']).toMatchObject({ mode: 0o4755, size: 4, mtime: '1600000000.000000000' });
    expect(by['usr/bin/tool']!.sha256).toBe(createHash('sha256').update('tool').digest('hex'));
    expect(by['usr/bin/abs']).toMatchObject({ linkname: '/usr/bin/tool', mtime: '1500000000.000000000' });
    expect(by['usr/bin/rel']).toMatchObject({ linkname: '../../etc/nowhere' });
    // The first path in order carries the data; the later one links to it.
    expect(by['usr/bin/a-second']).toMatchObject({ type: 'file', size: 6 });
    expect(by['usr/lib/z-first']).toMatchObject({ type: 'hardlink', linkname: 'usr/bin/a-second', size: 0 });
    expect(by['usr/bin/.wh.old']).toMatchObject({ size: 0, mode: 0, uid: 0, gid: 0 });
  });

  test('deterministic: the same input gives the same bytes', async () => {
    const a = await readStream(writeLayer(changes()));
    const b = await readStream(writeLayer(changes()));
    expect(a.equals(b)).toBe(true);
    expect(a.length % 512).toBe(0);
  });

  test('sub-second mtimes on request; clampMtime caps every entry', async () => {
    const fine = await listTar(writeLayer(changes(), { subsecondMtimes: true }));
    expect(fine.find((e) => e.name === 'usr/bin/tool')!.mtime).toBe('1600000000.750000000');
    const clamped = await listTar(writeLayer(changes(), { clampMtime: 1_450_000_000 }));
    const times = Object.fromEntries(clamped.map((e) => [e.name, e.mtime]));
    expect(times['usr/bin/tool']).toBe('1450000000.000000000');
    expect(times['usr/bin/abs']).toBe('1450000000.000000000');
    expect(times['usr/']).toBe('1400000000.000000000'); // older: kept
    expect(times['etc/']).toBe('0.000000000');
  });

  test('the root itself is never an entry; sockets are left out', async () => {
    const sock = join(src, 's.sock');
    const server = createServer();
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const listed = await listTar(
        writeLayer({
          sourceRoot: src,
          changes: [
            { kind: 'add', path: '' },
            { kind: 'add', path: 's.sock' },
            { kind: 'add', path: 'usr/bin/tool' },
          ],
        }),
      );
      expect(listed.map((e) => e.name)).toEqual(['usr/', 'usr/bin/', 'usr/bin/tool']);
    } finally {
      server.close();
    }
  });

  test.each([
    ['shrinks', (f: string) => truncate(f, 10)],
    ['grows', (f: string) => appendFile(f, 'more')],
  ])('a file that %s while the layer is written fails the layer', async (_n, change) => {
    const big = join(src, 'big');
    await writeFile(big, Buffer.alloc(8 << 20));
    const stream = writeLayer({ sourceRoot: src, changes: [{ kind: 'add', path: 'big' }] });
    const it = stream[Symbol.asyncIterator]();
    await it.next(); // planned (size known); at most a chunk or two read ahead
    await change(big);
    const drain = async () => {
      for (let r = await it.next(); !r.done; r = await it.next()) {
        /* drain */
      }
    };
    await expect(drain()).rejects.toThrow(LayerWriteError);
  });

  test('entries below a symlink or a file, and `..` paths, are refused', async () => {
    await symlink('/etc', join(src, 'link-to-etc'));
    const fail = (path: string, extra: { kind: 'add'; path: string }[] = []) =>
      readStream(writeLayer({ sourceRoot: src, changes: [...extra, { kind: 'add', path }] }));
    await expect(fail('link-to-etc/passwd')).rejects.toThrow(/must be a directory/);
    await expect(fail('link-to-etc/passwd', [{ kind: 'add', path: 'link-to-etc' }])).rejects.toThrow(
      /is a symlink in this layer/,
    );
    const underFile = writeLayerFromEntries([
      { kind: 'add', path: 'a', source: join(src, 'usr', 'bin', 'tool') },
      { kind: 'add', path: 'a/b', source: join(src, 'usr', 'bin', 'tool-link') },
    ]);
    await expect(readStream(underFile)).rejects.toThrow(/a is a file in this layer/);
    await expect(fail('../outside')).rejects.toThrow(LayerWriteError);
  });
});

describe('writeLayerFromEntries (COPY/ADD)', () => {
  test('overrides owner, mode and mtime; synthetic directories; parents from parentRoot or defaults', async () => {
    const ctx = join(tmp.path, 'context');
    await mkdir(ctx);
    await writeFile(join(ctx, 'app.sh'), 'echo hi');
    await chmod(join(ctx, 'app.sh'), 0o600);
    const rootfs = join(tmp.path, 'rootfs');
    await mkdir(join(rootfs, 'opt'), { recursive: true });
    await chmod(join(rootfs, 'opt'), 0o711);
    await utimes(join(rootfs, 'opt'), 1_300_000_000, 1_300_000_000);
    const listed = await listTar(
      writeLayerFromEntries(
        [
          {
            kind: 'add',
            path: 'opt/app/bin/app.sh',
            source: join(ctx, 'app.sh'),
            uid: 1000,
            gid: 2000,
            mode: 0o755,
            mtime: 1_234,
          },
          { kind: 'dir', path: 'opt/app', uid: 1000, gid: 2000, mode: 0o750, mtime: 99 },
        ],
        { parentRoot: rootfs },
      ),
    );
    expect(listed).toEqual([
      expect.objectContaining({ name: 'opt/', mode: 0o711, uid, gid, mtime: '1300000000.000000000' }),
      expect.objectContaining({ name: 'opt/app/', mode: 0o750, uid: 1000, gid: 2000, mtime: '99.000000000' }),
      expect.objectContaining({ name: 'opt/app/bin/', mode: 0o755, uid: 0, gid: 0, mtime: '0.000000000' }),
      expect.objectContaining({
        name: 'opt/app/bin/app.sh',
        type: 'file',
        mode: 0o755,
        uid: 1000,
        gid: 2000,
        mtime: '1234.000000000',
        size: 7,
      }),
    ]);
  });

  test('many small and a few large files come out in order with the right bytes', async () => {
    const entries = [];
    const expected: Record<string, string> = {};
    for (let i = 0; i < 300; i++) {
      const name = `f${String(i).padStart(4, '0')}`;
      const content = i % 50 === 0 ? Buffer.alloc((1 << 20) + i, i) : Buffer.from(`content ${i}`);
      await writeFile(join(src, name), content);
      expected[name] = createHash('sha256').update(content).digest('hex');
      entries.push({ kind: 'add' as const, path: name, source: join(src, name) });
    }
    const listed = await listTar(writeLayerFromEntries(entries.reverse()));
    expect(listed.map((e) => e.name)).toEqual(Object.keys(expected));
    expect(Object.fromEntries(listed.map((e) => [e.name, e.sha256]))).toEqual(expected);
  });
});
