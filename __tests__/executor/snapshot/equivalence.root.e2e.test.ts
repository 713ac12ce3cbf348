/**
 * Overlay and walk snapshotters give the same ChangeSet for the same RUN,
 * the expected one, and the same rootfs after commit.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Change, ChangeSet } from '../../../src/archive/changes.js';
import { unmountUnder } from '../../../src/executor/fs/mounts.js';
import { isUnavailable, type Sandbox } from '../../../src/executor/isolation/sandbox.js';
import { selectSandbox } from '../../../src/executor/isolation/sandbox-select.js';
import { OverlaySnapshotter } from '../../../src/executor/snapshot/overlay.js';
import { runStep } from '../../../src/executor/snapshot/run-step.js';
import type { Snapshotter } from '../../../src/executor/snapshot/snapshot.js';
import { WalkSnapshotter } from '../../../src/executor/snapshot/walk.js';
import { silentLogger } from '../../../src/log.js';
import { describeWith } from '../../lab/prereq.js';
import { makeBusyboxRootfs, tempDir } from '../busybox-rootfs.js';
import { listTree } from '../tree-listing.js';

const add = (path: string): Change => ({ kind: 'add', path });
const del = (path: string): Change => ({ kind: 'delete', path });
const opq = (path: string): Change => ({ kind: 'opaque', path });

/** [name, RUN command, expected changes] */
const CASES: Array<[string, string, Change[]]> = [
  ['create file', 'echo new > /data/new', [add('data'), add('data/new')]],
  ['modify file', 'echo v2 > /data/mod', [add('data'), add('data/mod')]],
  [
    'modify file, same size, mtime restored',
    'touch -r /data/mod /ref; echo V1 > /data/mod; touch -r /ref /data/mod; rm /ref',
    [add('data'), add('data/mod')],
  ],
  ['chmod only', 'chmod 600 /data/chm', [add('data'), add('data/chm')]],
  ['chown only', 'chown 1000:1000 /data/cho', [add('data'), add('data/cho')]],
  ['delete file', 'rm /data/del', [add('data'), del('data/del')]],
  ['delete dir tree', 'rm -rf /data/tree', [add('data'), del('data/tree')]],
  ['replace dir by file', 'rm -rf /data/d2f && echo f > /data/d2f', [add('data'), add('data/d2f')]],
  [
    'replace file by dir',
    'rm /data/f2d && mkdir /data/f2d && touch /data/f2d/x',
    [add('data'), add('data/f2d'), add('data/f2d/x')],
  ],
  [
    'delete and re-create a dir (opaque)',
    'rm -rf /data/opq && mkdir /data/opq && touch /data/opq/new',
    [add('data'), add('data/opq'), opq('data/opq'), add('data/opq/new')],
  ],
  [
    'delete children one by one',
    'rm -f /data/opq/old1',
    [add('data'), add('data/opq'), del('data/opq/old1')],
  ],
  ['symlink create', 'ln -s /data/file /data/sl', [add('data'), add('data/sl')]],
  ['symlink retarget', 'ln -sf /etc /data/link', [add('data'), add('data/link')]],
  ['hardlink create', 'ln /data/hlsrc /data/hl', [add('data'), add('data/hl'), add('data/hlsrc')]],
  [
    'mkdir nested',
    'mkdir -p /data/n1/n2/n3',
    [add('data'), add('data/n1'), add('data/n1/n2'), add('data/n1/n2/n3')],
  ],
  [
    'deep change adds every ancestor',
    'mkdir -p /data/tree/a/b && echo x > /data/tree/a/b/c',
    [add('data'), add('data/tree'), add('data/tree/a'), add('data/tree/a/b'), add('data/tree/a/b/c')],
  ],
  ['write in /tmp, /dev and /proc mounts only', 'echo x > /dev/shm/x; echo y > /dev/null; true', []],
  ['no change', 'true', []],
];

function seed(root: string): void {
  const d = join(root, 'data');
  mkdirSync(join(d, 'tree/a/b'), { recursive: true });
  mkdirSync(join(d, 'd2f'));
  mkdirSync(join(d, 'opq'));
  for (const [p, c] of Object.entries({
    file: 'file',
    mod: 'v1',
    chm: 'chm',
    cho: 'cho',
    del: 'del',
    'tree/a/b/c': 'c',
    'tree/a/x': 'x',
    'd2f/inner': 'i',
    f2d: 'f',
    'opq/old1': '1',
    'opq/old2': '2',
    hlsrc: 'hl',
  })) {
    writeFileSync(join(d, p), c);
  }
  execFileSync('chmod', ['644', join(d, 'chm')]);
  execFileSync('ln', ['-s', 'file', join(d, 'link')]);
}

describeWith(
  { root: true, binaries: ['unshare', 'setpriv', 'busybox'] },
  'snapshotters: overlay ≡ walk',
  () => {
    let dir: string;
    let base: string;
    let sandbox: Sandbox;
    let n = 0;

    beforeAll(async () => {
      dir = tempDir('kiln-snap-');
      base = makeBusyboxRootfs(dir);
      seed(base);
      const s = await selectSandbox('chroot', silentLogger, { scratchDir: dir });
      if (isUnavailable(s)) throw new Error(s.unavailable);
      sandbox = s;
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function fresh(kind: 'overlay' | 'walk'): Snapshotter {
      const stage = join(dir, `stage-${n++}`);
      mkdirSync(join(stage, 'work'), { recursive: true });
      const rootfs = join(stage, 'rootfs');
      cpSync(base, rootfs, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      const opts = { rootfs, workDir: join(stage, 'work'), log: silentLogger };
      return kind === 'overlay' ? new OverlaySnapshotter(opts) : new WalkSnapshotter(opts);
    }

    async function step(s: Snapshotter, cmd: string): Promise<{ cs: ChangeSet; exist: boolean[] }> {
      const r = await runStep({
        sandbox,
        snapshotter: s,
        spec: {
          argv: ['/bin/sh', '-c', cmd],
          env: ['PATH=/bin'],
          cwd: '/',
          user: { uid: 0, gid: 0, groups: [] },
          network: 'none',
        },
      });
      // Every 'add' must be readable from sourceRoot until commit.
      const exist = r.changes.changes
        .filter((c) => c.kind === 'add')
        .map(
          (c) =>
            existsSync(join(r.changes.sourceRoot, c.path)) ||
            lstatSync(join(r.changes.sourceRoot, c.path), { throwIfNoEntry: false }) !== undefined,
        );
      await r.commit();
      return { cs: r.changes, exist };
    }

    test.each(CASES)('%s', async (_name, cmd, expected) => {
      const overlay = fresh('overlay');
      const walk = fresh('walk');
      const o = await step(overlay, cmd);
      const w = await step(walk, cmd);
      expect(o.cs.changes).toEqual(expected);
      expect(w.cs.changes).toEqual(expected);
      expect(o.exist.every(Boolean)).toBe(true);
      expect(w.exist.every(Boolean)).toBe(true);
      // Same rootfs after commit, and no stub or overlay leftovers.
      expect(listTree(overlay.rootfs)).toEqual(listTree(walk.rootfs));
    });

    test('a sequence of RUNs on one stage: the same changes step by step, the same final tree', async () => {
      const overlay = fresh('overlay');
      const walk = fresh('walk');
      for (const [, cmd] of CASES) {
        const o = await step(overlay, cmd);
        const w = await step(walk, cmd);
        expect({ cmd, changes: o.cs.changes }).toEqual({ cmd, changes: w.cs.changes });
      }
      expect(listTree(overlay.rootfs)).toEqual(listTree(walk.rootfs));
      const hl = lstatSync(join(overlay.rootfs, 'data/hl'));
      expect(hl.ino).toBe(lstatSync(join(overlay.rootfs, 'data/hlsrc')).ino);
      expect(existsSync(join(overlay.rootfs, 'etc/hosts'))).toBe(false);
      expect(existsSync(join(overlay.rootfs, 'proc'))).toBe(false);
    });

    test('walk: a change noted from COPY is not reported again by the next RUN', async () => {
      const walk = fresh('walk');
      await step(walk, 'true'); // builds the index
      writeFileSync(join(walk.rootfs, 'data/copied'), 'from COPY');
      await walk.noteChanges({ sourceRoot: walk.rootfs, changes: [add('data'), add('data/copied')] });
      expect((await step(walk, 'true')).cs.changes).toEqual([]);
      expect((await step(walk, 'echo more >> /data/copied')).cs.changes).toEqual([
        add('data'),
        add('data/copied'),
      ]);
    });

    test('a failed RUN: overlay leaves the rootfs untouched and cleans up', async () => {
      const overlay = fresh('overlay');
      const before = listTree(overlay.rootfs);
      await expect(
        runStep({
          sandbox,
          snapshotter: overlay,
          spec: {
            argv: ['/bin/sh', '-c', 'rm -rf /data; echo gone; exit 3'],
            env: ['PATH=/bin'],
            cwd: '/',
            user: { uid: 0, gid: 0, groups: [] },
            network: 'none',
          },
        }),
      ).rejects.toMatchObject({ name: 'RunCommandError', exitCode: 3, tail: ['gone'] });
      expect(listTree(overlay.rootfs)).toEqual(before);
      expect(
        execFileSync('sh', ['-c', `grep -c ${dir} /proc/self/mountinfo || true`], {
          encoding: 'utf8',
        }).trim(),
      ).toBe('0');
    });

    test('unmountUnder() removes overlays left behind (e.g. by a killed Kiln)', async () => {
      const overlay = fresh('overlay');
      const prepared = await overlay.prepare();
      const stage = join(overlay.rootfs, '..');
      expect(await unmountUnder(stage)).toEqual([prepared.root]);
      const mounts = execFileSync('cat', ['/proc/self/mountinfo'], { encoding: 'utf8' });
      expect(mounts).not.toContain(prepared.root);
    });

    test('FROM scratch (no /etc, /proc, …): stubs never show, a RUN writing /etc gets /etc', async () => {
      const results: Record<string, Change[][]> = {};
      const trees: string[][] = [];
      for (const kind of ['overlay', 'walk'] as const) {
        const stage = join(dir, `scratch-${kind}`);
        const rootfs = join(stage, 'rootfs');
        mkdirSync(join(stage, 'work'), { recursive: true });
        mkdirSync(rootfs);
        cpSync('/bin/busybox', join(rootfs, 'busybox'));
        const opts = { rootfs, workDir: join(stage, 'work'), log: silentLogger };
        const snap = kind === 'overlay' ? new OverlaySnapshotter(opts) : new WalkSnapshotter(opts);
        results[kind] = [];
        for (const argv of [
          ['/busybox', 'true'],
          ['/busybox', 'sh', '-c', '/busybox cat /etc/hosts > /copy; /busybox touch /etc/own'],
        ]) {
          const r = await runStep({
            sandbox,
            snapshotter: snap,
            spec: { argv, env: [], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, network: 'none' },
          });
          results[kind]!.push(r.changes.changes);
          await r.commit();
        }
        trees.push(listTree(rootfs));
      }
      expect(results.overlay).toEqual([[], [add('copy'), add('etc'), add('etc/own')]]);
      expect(results.walk).toEqual(results.overlay);
      expect(trees[0]).toEqual(trees[1]);
      expect(trees[0]!.map((l) => l.split(' ')[0])).toEqual(['busybox', 'copy', 'etc', 'etc/own']);
    });
  },
);
