import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirInRoot, RootPathError, resolveInRoot } from '../../src/fs/root-path.js';
import { tempDir } from '../executor/busybox-rootfs.js';

let dir: string;
let root: string;

beforeAll(() => {
  dir = tempDir('kiln-paths-');
  root = join(dir, 'root');
  mkdirSync(join(root, 'usr/etc'), { recursive: true });
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(root, 'usr/etc/hosts'), '');
  writeFileSync(join(root, 'file'), '');
  symlinkSync('/usr/etc', join(root, 'etc'));
  symlinkSync('../../../../../../../..', join(root, 'up'));
  symlinkSync(join(dir, 'outside'), join(root, 'abs-out'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
  symlinkSync('../run/x/resolv.conf', join(root, 'usr/etc/resolv.conf'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveInRoot', () => {
  test('absolute symlinks resolve inside the root', async () => {
    expect((await resolveInRoot(root, '/etc/hosts')).rel).toBe('usr/etc/hosts');
  });
  test('.. never climbs above the root', async () => {
    expect((await resolveInRoot(root, '/up/usr/etc')).rel).toBe('usr/etc');
    expect((await resolveInRoot(root, '../../..')).rel).toBe('');
  });
  test('a symlink to a host path stays inside', async () => {
    const r = await resolveInRoot(root, '/abs-out/x');
    expect(r.rel).toBe(join(dir, 'outside/x').slice(1));
    expect(r.stat).toBeUndefined();
  });
  test('missing targets of a relative symlink are kept', async () => {
    const r = await resolveInRoot(root, '/etc/resolv.conf');
    expect(r).toEqual({ rel: 'usr/run/x/resolv.conf' });
  });
  test('final symlink not followed on request', async () => {
    expect((await resolveInRoot(root, '/etc', false)).rel).toBe('etc');
  });
  test('loops and non-directories are errors', async () => {
    await expect(resolveInRoot(root, '/loop1/x')).rejects.toThrow(RootPathError);
    await expect(resolveInRoot(root, '/file/x')).rejects.toThrow(/not a directory/);
  });
});

describe('mkdirInRoot', () => {
  test('creates through in-root symlinks and never outside', async () => {
    const r = await mkdirInRoot(root, '/abs-out/made/deep');
    expect(r.rel).toBe(join(dir, 'outside/made/deep').slice(1));
    expect(existsSync(join(dir, 'outside/made'))).toBe(false);
    expect(existsSync(join(root, r.rel))).toBe(true);
    expect((await mkdirInRoot(root, '/etc/app')).created).toEqual(['usr/etc/app']);
  });
});
