/**
 * The snapshot store's parts that need no root: sizes, chain IDs, where the
 * store is, the CLI flags, flock locks held by a helper process, build
 * leases, and entries a crash or a full disk could leave broken.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { buildOptionsFromFlags } from '../../../src/cli/build-flags.js';
import { formatBytes, parseSize } from '../../../src/executor/store/collect.js';
import { tryLock, waitForLock } from '../../../src/executor/store/flock.js';
import { chainIds, StoreLayout } from '../../../src/executor/store/layout.js';
import { isBuildAlive } from '../../../src/executor/store/liveness.js';
import { DEFAULT_STORE_MAX, defaultStoreDir } from '../../../src/executor/store/location.js';
import { SnapshotStore } from '../../../src/executor/store/snapshot-store.js';
import { BUILD_FLAGS } from '../../../src/flags/executor-flags.js';
import { parseFlags } from '../../../src/flags/parser.js';
import { parseDigest, sha256 } from '../../../src/image/digest.js';
import { type Logger, silentLogger, streamLogger } from '../../../src/log.js';
import { describeWith } from '../../lab/prereq.js';

const flags = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  buildOptionsFromFlags(parseFlags(['--no-push', ...argv], BUILD_FLAGS).values, env, '/work');

describe('snapshot store settings', () => {
  test.each([
    ['5GiB', 5 * 1024 ** 3],
    ['500M', 500 * 1024 ** 2],
    ['2g', 2 * 1024 ** 3],
    ['1.5 GiB', 1.5 * 1024 ** 3],
    ['3GB', 3e9],
    ['4096', 4096],
  ])('size %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  test.each(['', 'lots', '5 PB', '-1G', 'G5'])('not a size: %j', (text) =>
    expect(parseSize(text)).toBeUndefined(),
  );

  test('formatBytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  });

  test('chain IDs (OCI image spec): the first is the diffID, then sha256 of "<chain> <diffID>"', () => {
    const a = sha256('a');
    const b = sha256('b');
    const c = sha256('c');
    const ab = sha256(`${a} ${b}`);
    expect(chainIds([a, b, c])).toEqual([a, ab, sha256(`${ab} ${c}`)]);
    expect(chainIds([])).toEqual([]);
  });

  test('default directory: below --cache-dir, else $XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultStoreDir({ XDG_CACHE_HOME: '/x' }, '/cache')).toBe('/cache/store');
    expect(defaultStoreDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/kiln/store');
    expect(defaultStoreDir({ XDG_CACHE_HOME: 'relative', HOME: '/h' })).toBe('/h/.cache/kiln/store');
  });

  test('CLI: on by default, --store, --cache-dir, --store-max, --no-store', () => {
    expect(flags([], { HOME: '/h' }).store).toEqual({
      dir: '/h/.cache/kiln/store',
      maxBytes: DEFAULT_STORE_MAX,
    });
    expect(flags(['--cache-dir', 'c'], { HOME: '/h' }).store?.dir).toBe('/work/c/store');
    expect(flags(['--store', 's', '--store-max', '1GiB']).store).toEqual({
      dir: '/work/s',
      maxBytes: 1024 ** 3,
    });
    expect(flags(['--store-max=2G'], { HOME: '/h' }).store?.maxBytes).toBe(2 * 1024 ** 3);
    expect(flags(['--no-store']).store).toBeUndefined();
    expect(() => flags(['--store', 's', '--no-store'])).toThrow('--store and --no-store');
    expect(() => flags(['--store-max', 'big'])).toThrow('--store-max "big" is not a size');
  });
});

describeWith({ binaries: ['flock', 'du'] }, 'snapshot store on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kiln-store-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a lock held by another process is busy until that process ends, however it ends', async () => {
    const file = path.join(dir, 'lock');
    const holder = spawn('flock', [file, 'sleep', '60'], { stdio: 'ignore', detached: true });
    for (let i = 0; i < 100 && !(await stat(file).catch(() => undefined)); i++) await sleep(20);
    await sleep(100);
    expect(await tryLock(file)).toBeUndefined();
    // The whole process group (the command holds the lock's fd too).
    process.kill(-holder.pid!, 'SIGKILL');
    const lock = await waitForLock(file, 10);
    expect(await tryLock(file)).toBeUndefined();
    await lock.release();
    const again = await tryLock(file);
    expect(again).toBeDefined();
    await again?.release();
  });

  test("a build's registration lives while it uses the store; an ended one's temp dirs go", async () => {
    const settings = { dir: path.join(dir, 'leases'), maxBytes: 1 << 30 };
    const a = await SnapshotStore.open(settings, silentLogger);
    const layout = new StoreLayout(settings.dir);
    expect(await isBuildAlive(layout, a.id)).toBe(true);
    const t = await a.temp('extract');
    await writeFile(path.join(t.diff, 'half'), 'half-written');
    // A killed build: its lock is gone with it, its temp dir stays behind.
    const ended = 'gone-1234';
    await writeFile(layout.build(ended), '');
    await mkdir(path.join(layout.tmp, `${ended}.extract-abc`, 'diff'), { recursive: true });
    const lines: string[] = [];
    const b = await SnapshotStore.open(settings, logTo(lines));
    expect(lines.join('\n')).toContain('discarding 1 unfinished entry of a build that ended mid-write');
    expect(await readdir(layout.tmp)).toEqual([path.basename(t.dir)]);
    expect(await readdir(layout.builds)).toEqual(expect.not.arrayContaining([ended]));
    await a.close();
    await b.close();
    expect(await readdir(layout.tmp)).toEqual([]);
    expect(await readdir(layout.builds)).toEqual([]);
  });

  test('an entry without meta.json, with a wrong one, or unsynced from an earlier boot is discarded', async () => {
    const settings = { dir: path.join(dir, 'broken'), maxBytes: 1 << 30 };
    const layout = new StoreLayout(settings.dir);
    const s = await SnapshotStore.open(settings, silentLogger);
    const chain = parseDigest(sha256('layer'));
    const make = async (meta: string | undefined, synced = false) => {
      const e = layout.entry(chain);
      await mkdir(path.join(e, 'diff'), { recursive: true });
      if (meta !== undefined) await writeFile(path.join(e, 'meta.json'), meta);
      if (synced) await writeFile(path.join(e, 'synced'), '');
    };
    const meta = (boot: string, forChain: string = chain) =>
      JSON.stringify({
        version: 1,
        chain: forChain,
        diffId: chain,
        bytes: 4096,
        source: 'extract',
        created: new Date().toISOString(),
        boot,
      });
    const lines: string[] = [];
    const logged = await SnapshotStore.open(settings, logTo(lines));
    for (const [broken, why] of [
      [undefined, 'no meta.json'],
      ['{"version":1,', 'JSON'],
      [meta('current', sha256('other')), 'does not describe this entry'],
      [meta('an-earlier-boot'), 'never synced'],
    ] as const) {
      await make(broken);
      expect(await logged.get(chain)).toBeUndefined();
      expect(lines.pop()).toMatch(new RegExp(`discarding entry ${chain.slice(7, 19)}: .*${why}`));
      expect(await stat(layout.entry(chain)).catch(() => undefined)).toBeUndefined();
    }
    await make(meta('an-earlier-boot'), true);
    expect((await s.get(chain))?.meta.diffId).toBe(chain);
    await s.close();
    await logged.close();
  });
});

function logTo(lines: string[]): Logger {
  return streamLogger({ verbose: true, write: (l) => lines.push(l) });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
