/** The differential harness on its own: tree snapshots and diffs, config normalization, intended differences, checks. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { ImageConfig } from '../../src/image/manifest.js';
import { compareConfigs, comparedConfig } from '../lab/config-compare.js';
import { type BuiltImage, checkImage, compareImages, type DiffCase } from '../lab/differential.js';
import { CONTEXT_MTIME, writeFileTree } from '../lab/file-tree.js';
import { INTENDED_DIFFERENCES, normalizeReference } from '../lab/intended-differences.js';
import { compareTrees, snapshotTree, type Tree, type TreeEntry } from '../lab/tree-compare.js';
import { ALL_CASES } from './cases/index.js';

const entry = (path: string, e: Partial<TreeEntry> = {}): TreeEntry => ({
  path,
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 1,
  sha256: 'a'.repeat(64),
  mtime: 100,
  ...e,
});
const treeOf = (...entries: TreeEntry[]): Tree => new Map(entries.map((e) => [e.path, e]));
const dir = (path: string, e: Partial<TreeEntry> = {}) =>
  entry(path, { type: 'dir', mode: 0o755, size: undefined, sha256: undefined, ...e });

describe('compareTrees', () => {
  test('equal trees: no lines', () => {
    expect(compareTrees(treeOf(dir('/'), entry('/f')), treeOf(dir('/'), entry('/f')))).toEqual([]);
  });

  test('each field that differs is named, with both values', () => {
    const a = treeOf(entry('/f', { mode: 0o4755, uid: 1, links: ['/g'] }), entry('/g', { links: ['/f'] }));
    const b = treeOf(entry('/f', { mode: 0o755, gid: 2, sha256: 'b'.repeat(64) }), entry('/g'));
    const lines = compareTrees(a, b, {}, { expected: 'buildah', actual: 'kiln' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('/f');
    expect(lines[0]).toContain('mode 4755 ≠ 0755');
    expect(lines[0]).toContain('owner 1:0 ≠ 0:2');
    expect(lines[0]).toContain('content sha256:aaaaaaaaaaaa ≠ sha256:bbbbbbbbbbbb');
    expect(lines[0]).toContain('hardlinks [/g] ≠ []');
    expect(lines[0]).toContain('(buildah ≠ kiln)');
  });

  test('missing and extra paths; type changes; symlink targets', () => {
    const a = treeOf(entry('/only-a'), entry('/t'), entry('/l', { type: 'symlink', target: 'x' }));
    const b = treeOf(entry('/only-b'), dir('/t'), entry('/l', { type: 'symlink', target: 'y' }));
    expect(compareTrees(a, b)).toEqual([
      '~ /l  target x ≠ y  (expected ≠ actual)',
      '- /only-a  only in expected: file 0644 0:0 1B sha256:aaaaaaaaaaaa',
      '+ /only-b  only in actual: file 0644 0:0 1B sha256:aaaaaaaaaaaa',
      '~ /t  type file ≠ dir  (expected ≠ actual)',
    ]);
  });

  test('mtime is compared only where the reference kept a time from before its build', () => {
    const a = treeOf(entry('/old', { mtime: 10 }), entry('/new', { mtime: 500 }));
    const b = treeOf(entry('/old', { mtime: 11 }), entry('/new', { mtime: 900 }));
    expect(compareTrees(a, b)).toEqual([]);
    const lines = compareTrees(a, b, { preservedBefore: 400 });
    expect(lines).toEqual(['~ /old  mtime 1970-01-01T00:00:10Z ≠ 1970-01-01T00:00:11Z  (expected ≠ actual)']);
  });

  test('ignored paths and prefixes', () => {
    const a = treeOf(entry('/x'), entry('/d/y'));
    expect(compareTrees(a, new Map(), { ignore: ['/x', '/d/'] })).toEqual([]);
  });
});

describe('snapshotTree over writeFileTree', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kiln-diff-harness-'));
    await writeFileTree(join(root, 't'), {
      'a.txt': 'a\n',
      'bin/run': { content: '#!/bin/sh\n', mode: 0o755, mtime: 1_234_567_890 },
      'bin/run-hard': { hardlink: 'bin/run' },
      'bin/link': { symlink: 'run' },
      private: { dir: true, mode: 0o700 },
      'pkg.tar.gz': { archive: 'tar.gz', files: { 'in/side': 'x\n' } },
    });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  test('types, modes, hardlink groups, symlink targets, mtimes as written', async () => {
    const t = await snapshotTree(join(root, 't'), { xattrs: false });
    expect([...t.keys()]).toEqual([
      '/',
      '/a.txt',
      '/bin',
      '/bin/link',
      '/bin/run',
      '/bin/run-hard',
      '/pkg.tar.gz',
      '/private',
    ]);
    expect(t.get('/a.txt')).toMatchObject({ type: 'file', mode: 0o644, size: 2, mtime: CONTEXT_MTIME });
    expect(t.get('/bin/run')).toMatchObject({ mode: 0o755, links: ['/bin/run-hard'], mtime: 1_234_567_890 });
    expect(t.get('/bin/run-hard')?.links).toEqual(['/bin/run']);
    expect(t.get('/bin/link')).toMatchObject({ type: 'symlink', target: 'run' });
    expect(t.get('/private')).toMatchObject({ type: 'dir', mode: 0o700, mtime: CONTEXT_MTIME });
    expect(t.get('/bin')?.mtime).toBe(CONTEXT_MTIME);
  });
});

describe('comparedConfig', () => {
  const raw = (config: ImageConfig['config']): ImageConfig =>
    ({ architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [] } }) as ImageConfig;

  test('null, "", [] and {} are all unset; zero healthcheck durations are defaults', () => {
    const buildah = comparedConfig(
      raw({
        Entrypoint: [],
        Cmd: null,
        Labels: {},
        Volumes: {},
        WorkingDir: '',
        OnBuild: [],
        Healthcheck: { Test: ['CMD', 'true'], Interval: 0, Retries: 0 },
      }),
    );
    const other = comparedConfig(raw({ OnBuild: null, Healthcheck: { Test: ['CMD', 'true'] } }));
    expect(compareConfigs(buildah, other)).toEqual([]);
  });

  test('ports and volumes compare as sets; Env in order', () => {
    const a = comparedConfig(raw({ ExposedPorts: { '80/tcp': {}, '53/udp': {} }, Env: ['A=1', 'B=2'] }));
    const b = comparedConfig(raw({ ExposedPorts: { '53/udp': {}, '80/tcp': {} }, Env: ['B=2', 'A=1'] }));
    expect(compareConfigs(a, b)).toEqual(['config Env: expected ["A=1","B=2"] ≠ actual ["B=2","A=1"]']);
  });
});

describe('intended differences', () => {
  test('every one says what, why and what was seen; the ids are unique', () => {
    const ids = INTENDED_DIFFERENCES.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of INTENDED_DIFFERENCES) {
      expect(d.what.length).toBeGreaterThan(20);
      expect(d.reason.length).toBeGreaterThan(20);
      expect(d.evidence.length).toBeGreaterThan(20);
    }
  });

  test('every case names only known differences, and every opt-in difference is used by a case', () => {
    const used = new Set(ALL_CASES.flatMap((c) => (c.differences ?? []).map((d) => d.id)));
    for (const id of used) expect(INTENDED_DIFFERENCES.map((d) => d.id)).toContain(id);
    for (const d of INTENDED_DIFFERENCES.filter((x) => !x.always)) expect(used).toContain(d.id);
  });

  test('empty mount stubs are removed from the reference; the same paths with content stay', () => {
    const stubs = treeOf(
      entry('/etc/hosts', { size: 0 }),
      entry('/etc/resolv.conf', { size: 12 }),
      dir('/run'),
      dir('/proc'),
      entry('/proc/x'),
    );
    expect(normalizeReference(stubs, {})).toEqual(['run-mount-stubs']);
    expect([...stubs.keys()]).toEqual(['/etc/resolv.conf', '/proc', '/proc/x']);
  });

  test('patches set BuildKit values, remove, create; config fields are replaced', () => {
    const t = treeOf(entry('/env.txt'), dir('/gone'), entry('/root', { mtime: 5 }));
    const config = { Entrypoint: ['/bin/sh', '-c', 'x'] };
    normalizeReference(t, config, [
      {
        id: 'buildah-volume-semantics',
        entries: {
          '/env.txt': { content: 'A=1\n' },
          '/gone': null,
          '/new': { type: 'dir', mode: 0o755, uid: 0, gid: 0 },
        },
        config: { Entrypoint: ['/bin/sh', '-ec', 'x'] },
      },
    ]);
    expect(t.get('/env.txt')).toMatchObject({ size: 4 });
    expect(t.has('/gone')).toBe(false);
    expect(t.get('/new')).toMatchObject({ type: 'dir' });
    expect(config.Entrypoint).toEqual(['/bin/sh', '-ec', 'x']);
    expect(() =>
      normalizeReference(t, {}, [{ id: 'scratch-workdir', entries: { '/nope': { mode: 1 } } }]),
    ).toThrow(/give its type/);
  });
});

describe('checkImage and compareImages', () => {
  const image = (builder: BuiltImage['builder'], tree: Tree, layers = 2): BuiltImage => ({
    builder,
    tree,
    config: { User: 'kiln' },
    rawConfig: {
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: Array(layers).fill('sha256:x') },
      history: Array(layers).fill({ created_by: 'x' }),
    } as ImageConfig,
    layers,
    startedAt: 1000,
    log: '',
  });
  const c: DiffCase = {
    name: 'unit',
    covers: 'unit',
    dockerfile: '',
    layers: 2,
    expect: { '/f': { mode: 0o644, content: 'hi\n' }, '/absent': null },
    expectConfig: { User: 'kiln' },
  };

  test('expectations, layer count and history are checked; the reference is not changed by comparing', () => {
    const hi = 'ed7bcf8dd0a3d5ba16a9d9a87e7a9bf8a8e23bd6a8d6b2a5c4e8b9b8b2d1e2f3';
    const problems = checkImage(image('kiln', treeOf(entry('/f', { sha256: hi }), entry('/absent')), 3), c);
    expect(problems).toEqual([
      'kiln: /f: content should be "hi\\n"',
      'kiln: /absent should be absent, is file 0644 0:0 1B sha256:aaaaaaaaaaaa',
      'kiln: 3 layers, BuildKit makes 2',
    ]);
    const ref = image('buildah', treeOf(entry('/etc/hosts', { size: 0 })));
    const cmp = compareImages(ref, image('kiln', new Map()), { ...c, expect: {}, layers: undefined });
    expect(cmp).toEqual({ applied: ['run-mount-stubs'], lines: [] });
    expect(ref.tree.has('/etc/hosts')).toBe(true);
  });
});
