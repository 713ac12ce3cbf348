/**
 * Cache mount sharing (BuildKit's shared / private / locked) between users
 * in one process and across processes (a child process holding a lease,
 * then killed), and what a new cache starts with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { type CacheMountRequest, CacheMountStore } from '../../../src/executor/mounts/cache-mounts.js';

const repo = path.resolve(import.meta.dirname ?? '.', '../../..');
let root: string;
let store: CacheMountStore;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-cache-mounts-'));
  store = new CacheMountStore(root);
});
afterEach(() => fs.rm(root, { recursive: true, force: true }));

const req = (
  sharing: CacheMountRequest['sharing'],
  over: Partial<CacheMountRequest> = {},
): CacheMountRequest => ({
  id: '/root/.npm',
  variant: '',
  sharing,
  init: (dir) => fs.mkdir(dir),
  ...over,
});

const settled = async (p: Promise<unknown>, ms = 300) =>
  Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);

test('shared: one directory for every user at once; it keeps what was written', async () => {
  const a = await store.acquire(req('shared'));
  const b = await store.acquire(req('shared'));
  expect(b.dir).toBe(a.dir);
  await fs.writeFile(path.join(a.dir, 'f'), 'x');
  await a.release();
  await b.release();
  const c = await store.acquire(req('shared'));
  expect(await fs.readFile(path.join(c.dir, 'f'), 'utf8')).toBe('x');
  await c.release();
});

test('private: a new instance while the first is in use, the first again once free', async () => {
  const a = await store.acquire(req('private'));
  const b = await store.acquire(req('private'));
  expect(b.dir).not.toBe(a.dir);
  const shared = await store.acquire(req('shared'));
  expect([a.dir, b.dir]).not.toContain(shared.dir);
  await Promise.all([a.release(), b.release(), shared.release()]);
  expect((await store.acquire(req('private'))).dir).toBe(a.dir);
});

test('locked: waits until the user of the only instance releases it', async () => {
  const a = await store.acquire(req('locked'));
  const waiting = store.acquire(req('locked'));
  expect(await settled(waiting)).toBe(false);
  await a.release();
  const b = await waiting;
  expect(b.dir).toBe(a.dir);
  await b.release();
});

test('ids and variants are separate caches; a new one is made by init, once', async () => {
  let inits = 0;
  const init = async (dir: string) => {
    inits++;
    await fs.mkdir(dir, { mode: 0o700 });
  };
  const a = await store.acquire(req('shared', { init }));
  const b = await store.acquire(req('shared', { id: 'other', init }));
  const c = await store.acquire(req('shared', { variant: 'uid:1000', init }));
  expect(new Set([a.dir, b.dir, c.dir]).size).toBe(3);
  expect(((await fs.stat(a.dir)).mode & 0o777).toString(8)).toBe('700');
  await Promise.all([a.release(), b.release(), c.release()]);
  await (await store.acquire(req('shared', { init }))).release();
  expect(inits).toBe(3);
});

test('an instance whose making was cut short is made again', async () => {
  const failing = store.acquire(
    req('shared', {
      init: async (dir) => {
        await fs.mkdir(dir);
        throw new Error('copy failed');
      },
    }),
  );
  await expect(failing).rejects.toThrow('copy failed');
  const a = await store.acquire(req('shared'));
  expect(await fs.readdir(a.dir)).toEqual([]);
  await a.release();
});

test('across processes: locked waits for another build, and a killed build no longer holds it', async () => {
  const script = path.join(root, 'hold.mts');
  await fs.writeFile(
    script,
    `import { CacheMountStore } from '${repo}/src/executor/mounts/cache-mounts.ts';
import { mkdir } from 'node:fs/promises';
const s = new CacheMountStore('${root}/store');
const l = await s.acquire({ id: '/root/.npm', variant: '', sharing: 'locked', init: (d) => mkdir(d) });
console.log('HELD ' + l.dir);
setInterval(() => {}, 1000);
`,
  );
  // Node itself with tsx's loader (not the tsx wrapper, whose own child would outlive a SIGKILL of it).
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const held = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /HELD (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`the child exited: ${out}`)));
    });
    const mine = new CacheMountStore(path.join(root, 'store'));
    const waiting = mine.acquire(req('locked'));
    expect(await settled(waiting)).toBe(false);
    const priv = await mine.acquire(req('private'));
    expect(priv.dir).not.toBe(held);
    await priv.release();
    child.kill('SIGKILL');
    const got = await waiting;
    expect([held, priv.dir]).toContain(got.dir);
    await got.release();
  } finally {
    child.kill('SIGKILL');
  }
});
