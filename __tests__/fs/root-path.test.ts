import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirInRoot, RootPathError, RootResolver, resolveInRoot } from '../../src/fs/root-path.js';
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
    expect(resolveInRoot(root, '/etc/hosts').rel).toBe('usr/etc/hosts');
  });
  test('.. never climbs above the root', async () => {
    expect(resolveInRoot(root, '/up/usr/etc').rel).toBe('usr/etc');
    expect(resolveInRoot(root, '../../..').rel).toBe('');
  });
  test('a symlink to a host path stays inside', async () => {
    const r = resolveInRoot(root, '/abs-out/x');
    expect(r.rel).toBe(join(dir, 'outside/x').slice(1));
    expect(r.stat).toBeUndefined();
  });
  test('missing targets of a relative symlink are kept', async () => {
    const r = resolveInRoot(root, '/etc/resolv.conf');
    expect(r).toEqual({ rel: 'usr/run/x/resolv.conf' });
  });
  test('final symlink not followed on request', async () => {
    expect(resolveInRoot(root, '/etc', false).rel).toBe('etc');
  });
  test('loops and non-directories are errors', async () => {
    expect(() => resolveInRoot(root, '/loop1/x')).toThrow(RootPathError);
    expect(() => resolveInRoot(root, '/file/x')).toThrow(/not a directory/);
  });
});

describe('mkdirInRoot', () => {
  test('creates through in-root symlinks and never outside', async () => {
    const r = mkdirInRoot(root, '/abs-out/made/deep');
    expect(r.rel).toBe(join(dir, 'outside/made/deep').slice(1));
    expect(existsSync(join(dir, 'outside/made'))).toBe(false);
    expect(existsSync(join(root, r.rel))).toBe(true);
    expect(mkdirInRoot(root, '/etc/app').created).toEqual(['usr/etc/app']);
  });
});

describe('.. after a missing component', () => {
  // `missing/..` must not skip the check of what follows: abs-out is a symlink to a host path.
  const inside = () => join(dir, 'outside').slice(1);
  test('resolveInRoot follows the symlink after missing/.. inside the root', () => {
    expect(resolveInRoot(root, '/nothere/../abs-out/x').rel).toBe(`${inside()}/x`);
    expect(resolveInRoot(root, '/nothere/deeper/../../up/etc').rel).toBe('usr/etc');
  });
  test('mkdirInRoot creates inside the root, never through the host symlink', () => {
    const r = mkdirInRoot(root, '/gone/../abs-out/viagone');
    expect(r.rel).toBe(`${inside()}/viagone`);
    expect(existsSync(join(dir, 'outside/viagone'))).toBe(false);
    expect(existsSync(join(root, r.rel))).toBe(true);
  });
  test('the extractor resolver (RootResolver) agrees', () => {
    const created: string[] = [];
    const resolver = new RootResolver(root, (rel) => created.push(rel));
    expect(resolver.lookupDir(['nothere', '..', 'abs-out', 'nope'])).toBeUndefined();
    const rel = resolver.ensureDir(['nothere2', '..', 'abs-out', 'viaresolver']);
    expect(rel).toBe(`${inside()}/viaresolver`);
    expect(existsSync(join(dir, 'outside/viaresolver'))).toBe(false);
    expect(created).toContain('nothere2');
    expect(resolver.lookupDir(['file'])).toBeUndefined();
    expect(() => resolver.ensureDir(['file', 'x'])).toThrow(/not a directory/);
  });
});
