/**
 * RUN --mount in place (no mount namespace): each mount's content is put at
 * its target for the RUN and taken out after, what was there comes back,
 * and the snapshot that follows finds only what the RUN itself changed
 * outside its mounts — from a full and from a shallow index. On a temp
 * root; the RUN is played by writes between placeMounts() and remove().
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { InPlaceIndex } from '../../../src/executor/isolation/in-place-index.js';
import { placeMounts } from '../../../src/executor/isolation/in-place-mounts.js';
import { KeptPaths } from '../../../src/executor/isolation/kept-paths.js';
import type { RunMountSpec } from '../../../src/executor/isolation/sandbox.js';
import { waitForClockPast } from '../../../src/executor/snapshot/walk-index.js';
import { streamLogger } from '../../../src/log.js';
import { tempDir } from '../busybox-rootfs.js';

let dir: string;
let root: string;
let hold: string;
const log = streamLogger({ write: () => undefined });
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;

beforeEach(() => {
  dir = tempDir('kiln-inplace-mounts-');
  root = join(dir, 'root');
  hold = join(dir, 'hold');
  mkdirSync(hold);
  for (const d of ['etc', 'var/cache/pkg', 'home/app', 'mnt/volume', 'proc', 'dev', 'sys']) {
    mkdirSync(join(root, d), { recursive: true });
  }
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  writeFileSync(join(root, 'etc/resolv.conf'), '');
  writeFileSync(join(root, 'var/cache/pkg/from-image'), 'image');
  writeFileSync(join(root, 'home/app/app.conf'), 'port=1\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const kept = () => new KeptPaths(['/proc', '/dev', '/sys', '/mnt/volume', '/etc/hosts']);
let holds = 0;
const opts = () => ({
  root,
  kept: kept(),
  holdDir: async () => {
    const d = join(hold, String(++holds));
    mkdirSync(d);
    return d;
  },
  log,
});

/** A full or shallow index, then the mounts placed, `run` played, the mounts removed: the changes. */
async function cycle(
  specs: RunMountSpec[],
  run: () => void | Promise<void>,
  shallow = false,
): Promise<string[]> {
  let index: InPlaceIndex;
  if (shallow) {
    writeFileSync(join(dir, 'probe'), '');
    index = InPlaceIndex.shallow(root, kept(), lstatSync(join(dir, 'probe'), { bigint: true }).ctimeNs);
  } else index = InPlaceIndex.build(root, kept());
  await waitForClockPast(dir, index.maxCtimeNs);
  const placed = await placeMounts(specs, opts());
  await run();
  const settled = await placed.remove();
  const { index: after, changes } = index.rescan(settled);
  // What is there now is exactly what the new index says.
  expect(after.rescan().changes).toEqual([]);
  return changes.map((c) => `${c.kind} ${c.path}`);
}

const secret = (target: string, data = 'tok-123', mode = 0o400): RunMountSpec => ({
  kind: 'file',
  target,
  data: Buffer.from(data),
  mode,
  uid,
  gid,
});

describe.each([false, true])('placeMounts (shallow index: %s)', (shallow) => {
  test('a secret at a new path: readable during the RUN, gone after with its stubs', async () => {
    let seen = '';
    let mode = 0;
    const changes = await cycle(
      [secret('/run/secrets/token')],
      () => {
        seen = readFileSync(join(root, 'run/secrets/token'), 'utf8');
        mode = statSync(join(root, 'run/secrets/token')).mode & 0o7777;
        writeFileSync(join(root, 'out'), 'x');
      },
      shallow,
    );
    expect(seen).toBe('tok-123');
    expect(mode).toBe(0o400);
    expect(existsSync(join(root, 'run'))).toBe(false);
    expect(changes).toEqual(['add out']);
  });

  test('a secret over a file of the image: the image file comes back unchanged', async () => {
    writeFileSync(join(root, 'home/app/.npmrc'), 'public');
    const changes = await cycle(
      [secret('/home/app/.npmrc', 'token')],
      () => writeFileSync(join(root, 'out'), readFileSync(join(root, 'home/app/.npmrc'))),
      shallow,
    );
    expect(readFileSync(join(root, 'out'), 'utf8')).toBe('token');
    expect(readFileSync(join(root, 'home/app/.npmrc'), 'utf8')).toBe('public');
    expect(changes).toEqual(['add out']);
  });

  test('a writable bind (a cache): the source is shown, keeps what the RUN wrote, the image dir comes back', async () => {
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    writeFileSync(join(cache, 'old.deb'), 'old');
    const changes = await cycle(
      [{ kind: 'bind', target: '/var/cache/pkg', source: cache, readonly: false }],
      () => {
        expect(readdirSync(join(root, 'var/cache/pkg'))).toEqual(['old.deb']);
        writeFileSync(join(root, 'var/cache/pkg/new.deb'), 'new');
        writeFileSync(join(root, 'installed'), 'yes');
      },
      shallow,
    );
    expect(readdirSync(cache).sort()).toEqual(['new.deb', 'old.deb']);
    expect(readdirSync(join(root, 'var/cache/pkg'))).toEqual(['from-image']);
    expect(changes).toEqual(['add installed']);
  });

  test('a read-only bind is a copy: writes are discarded, the source is untouched', async () => {
    const src = join(dir, 'stage/out');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    const changes = await cycle(
      [{ kind: 'bind', target: '/in', source: src, readonly: true }],
      () => {
        expect(statSync(join(root, 'in/tool')).mode & 0o777).toBe(0o755);
        writeFileSync(join(root, 'in/tool'), 'changed');
        writeFileSync(join(root, 'copied'), 'c');
      },
      shallow,
    );
    expect(readFileSync(join(src, 'tool'), 'utf8')).toBe('#!/bin/sh\n');
    expect(existsSync(join(root, 'in'))).toBe(false);
    expect(changes).toEqual(['add copied']);
  });

  test('a tmpfs is an empty 1777 directory, and nested mounts go into their outer mount', async () => {
    const changes = await cycle(
      [{ kind: 'tmpfs', target: '/tmp/scratch', readonly: false }, secret('/tmp/scratch/inner/key', 'k')],
      () => {
        expect(statSync(join(root, 'tmp/scratch')).mode & 0o7777).toBe(0o1777);
        expect(readFileSync(join(root, 'tmp/scratch/inner/key'), 'utf8')).toBe('k');
      },
      shallow,
    );
    expect(existsSync(join(root, 'tmp'))).toBe(false);
    expect(changes).toEqual([]);
  });
});

describe('placeMounts: limits and odd RUNs', () => {
  test('a RUN that writes beside its target is seen; its mount is not', async () => {
    const changes = await cycle([secret('/home/app/token')], () =>
      writeFileSync(join(root, 'home/app/log'), 'l'),
    );
    expect(changes).toEqual(['add home', 'add home/app', 'add home/app/log']);
  });

  test('a RUN that removes a cache mount point: the cache is empty, not gone', async () => {
    const cache = join(dir, 'cache');
    mkdirSync(cache, { mode: 0o750 });
    writeFileSync(join(cache, 'x'), 'x');
    await cycle([{ kind: 'bind', target: '/var/cache/pkg', source: cache, readonly: false }], () =>
      rmSync(join(root, 'var/cache/pkg'), { recursive: true }),
    );
    expect(readdirSync(cache)).toEqual([]);
    expect(statSync(cache).mode & 0o777).toBe(0o750);
    expect(readdirSync(join(root, 'var/cache/pkg'))).toEqual(['from-image']);
  });

  test('an agent socket is reached at its target, and is back at its source after', async () => {
    const sock = join(dir, 'agent.sock');
    const server = createServer((c) => c.end('agent'));
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      let answer = '';
      const changes = await cycle(
        [{ kind: 'bind', target: '/run/buildkit/ssh_agent.0', source: sock, readonly: false }],
        async () => {
          for await (const chunk of connect(join(root, 'run/buildkit/ssh_agent.0'))) answer += String(chunk);
        },
      );
      expect(answer).toBe('agent');
      expect(changes).toEqual([]);
      expect(lstatSync(sock).isSocket()).toBe(true);
      expect(existsSync(join(root, 'run'))).toBe(false);
    } finally {
      server.close();
    }
  });

  test('targets on, under or holding a kept path are refused, leaving the root as it was', async () => {
    for (const target of ['/mnt/volume', '/mnt/volume/x', '/mnt', '/proc/x', '/etc']) {
      await expect(placeMounts([{ kind: 'tmpfs', target, readonly: false }], opts())).rejects.toThrow(
        /kept out of this in-place build/,
      );
    }
    await expect(placeMounts([secret('/dev/shm/x')], opts())).rejects.toThrow(/\/dev is kept out/);
    expect(readdirSync(join(root, 'mnt'))).toEqual(['volume']);
  });
});
