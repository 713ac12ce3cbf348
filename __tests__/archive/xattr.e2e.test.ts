import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { XattrError } from '../../src/archive/errors.js';
import {
  attrToolsXattrs,
  detectXattrs,
  formatXattrDump,
  isLayerXattr,
  parseXattrDump,
  unavailableXattrs,
} from '../../src/archive/xattr.js';
import { describeWith } from '../lab/prereq.js';
import { run, tempDir } from './helpers.js';

const WEIRD = ['plain', 'with space', 'new\nline', 'back\\slash', 'eq=uals', 'ünï', 'tab\there'];

describe('xattr dump format', () => {
  test('round-trips awkward paths, names and binary values', () => {
    const items = WEIRD.map((n, i) => ({
      path: `/x/${n}`,
      xattrs: { [`user.${n}`]: Buffer.from([i, 0, 255, 10, 61]), 'user.empty': Buffer.alloc(0) },
    }));
    const parsed = parseXattrDump(formatXattrDump(items));
    expect([...parsed.keys()]).toEqual(items.map((i) => i.path));
    for (const i of items) expect(parsed.get(i.path)).toEqual(i.xattrs);
  });

  test('reads getfattr’s own quoting and value encodings', () => {
    const text =
      '# file: /a\\040b\\012c\nuser.x=0sYWJj\nuser.h=0x00ff\nuser.t="te\\012xt"\n\n# file: /plain\nuser.n\n\n';
    const parsed = parseXattrDump(text);
    expect(parsed.get('/a b\nc')).toEqual({
      'user.x': Buffer.from('abc'),
      'user.h': Buffer.from([0, 255]),
      'user.t': Buffer.from('te\nxt'),
    });
    expect(parsed.get('/plain')).toEqual({ 'user.n': Buffer.alloc(0) });
  });

  test('the layer allow-list', () => {
    expect(isLayerXattr('security.capability')).toBe(true);
    expect(isLayerXattr('user.mime_type')).toBe(true);
    for (const n of [
      'security.selinux',
      'trusted.overlay.opaque',
      'user.overlay.opaque',
      'system.posix_acl_access',
    ]) {
      expect(isLayerXattr(n)).toBe(false);
    }
  });

  test('without the tools: unavailable, saying what to install', async () => {
    const x = detectXattrs({ PATH: '/nonexistent' });
    expect(x.unavailable).toMatch(/install the "attr" package/);
    expect(await x.read(['/etc/passwd'])).toEqual(new Map());
    await expect(x.write([{ path: '/tmp/x', xattrs: { 'user.a': Buffer.from('1') } }])).rejects.toThrow(
      XattrError,
    );
    await expect(unavailableXattrs('why').write([])).resolves.toBeUndefined();
  });
});

describeWith({ binaries: ['getfattr', 'setfattr'] }, 'attr tools', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir();
    await mkdir(join(tmp.path, 'd'));
    for (const n of WEIRD) await writeFile(join(tmp.path, 'd', n), n);
  });
  afterAll(() => tmp.cleanup());

  test('writes many files in one go and reads them back, in batches', async () => {
    const x = attrToolsXattrs({ argBytes: 64 }); // force several getfattr processes
    const items = WEIRD.map((n, i) => ({
      path: join(tmp.path, 'd', n),
      xattrs: { 'user.k': Buffer.from([i, 0, 255, 10]), [`user.${n.length}`]: Buffer.from(n) },
    }));
    await x.write(items);
    const back = await x.read([...items.map((i) => i.path), join(tmp.path, 'd')]);
    expect(back.size).toBe(items.length); // the directory has none
    for (const i of items) expect(back.get(i.path)).toEqual(i.xattrs);
    // Cross-check with getfattr itself.
    expect(await run('getfattr', ['-n', 'user.k', '-e', 'hex', join(tmp.path, 'd', 'plain')])).toMatch(
      /user\.k=0x0000ff0a/,
    );
  });

  test('reads only allow-listed names by default', async () => {
    const f = join(tmp.path, 'd', 'plain');
    await run('setfattr', ['-n', 'user.overlay.opaque', '-v', 'y', f]);
    const back = await attrToolsXattrs().read([f]);
    expect(Object.keys(back.get(f)!)).not.toContain('user.overlay.opaque');
  });

  test('never follows a symlink: writing through one fails, its target is untouched', async () => {
    const target = join(tmp.path, 'target');
    const link = join(tmp.path, 'link');
    await writeFile(target, 't');
    await symlink(target, link);
    await expect(
      attrToolsXattrs().write([{ path: link, xattrs: { 'user.bad': Buffer.from('1') } }]),
    ).rejects.toThrow(XattrError);
    expect((await attrToolsXattrs().read([target])).get(target)).toBeUndefined();
  });

  test('errors name the problem', async () => {
    await expect(
      attrToolsXattrs().write([{ path: join(tmp.path, 'missing'), xattrs: { 'user.a': Buffer.from('1') } }]),
    ).rejects.toThrow(/setfattr failed: .*No such file/);
    await expect(attrToolsXattrs().read(['relative'])).rejects.toThrow(/absolute/);
  });
});
