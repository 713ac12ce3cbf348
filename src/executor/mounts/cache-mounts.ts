/**
 * RUN --mount=type=cache directories, kept in one directory (`--cache-dir`'s
 * cache-mounts/, or the workspace for one build) and shared between the
 * RUN steps and the builds that use it, with BuildKit's `sharing`:
 *
 *  shared   any number of users at once, on one instance
 *  private  an instance nobody else uses; a new one when all are in use
 *  locked   an instance nobody else uses; waits while all are in use
 *
 * Layout: <root>/<id slug>-<hash of the cache's identity>/
 *   .lock/                 mutex of this cache (dir-lock.ts)
 *   <n>/data/              instance n: what the RUN sees at its target
 *   <n>/users/<pid>-<r>-<sharing>   who uses it now (gone when released;
 *                          entries of processes that died are ignored)
 * An instance is made (empty, with the mount's mode and owner, or seeded
 * from its `from`) under data.new/ and renamed, so a crash never leaves a
 * half-made one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processAlive, sleep, withDirLock } from './dir-lock.js';

export type CacheSharing = 'shared' | 'private' | 'locked';

export interface CacheMountRequest {
  /** The mount's id (namespace applied): names the cache. */
  id: string;
  /** Everything that makes two caches of one id different (from=, mode/uid/gid); '' for none. */
  variant: string;
  sharing: CacheSharing;
  /** Fills a new instance's directory (it does not exist yet). */
  init(dir: string): Promise<void>;
  signal?: AbortSignal;
}

export interface CacheMountLease {
  /** The directory to mount. */
  dir: string;
  release(): Promise<void>;
}

interface Instance {
  n: number;
  users: { name: string; sharing: CacheSharing }[];
}

/** The directory name of a cache: readable, unique per id and variant. */
export function cacheDirName(id: string, variant: string): string {
  const slug =
    id
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 40) || 'cache';
  const hash = createHash('sha256').update(`${id}\0${variant}`).digest('hex').slice(0, 16);
  return `${slug}-${hash}`;
}

export class CacheMountStore {
  constructor(readonly root: string) {}

  async acquire(req: CacheMountRequest): Promise<CacheMountLease> {
    const base = path.join(this.root, cacheDirName(req.id, req.variant));
    await mkdir(base, { recursive: true });
    for (;;) {
      const got = await withDirLock(path.join(base, '.lock'), () => this.tryAcquire(base, req), req.signal);
      if (got) return got;
      // locked, and every instance is in use: wait for one (BuildKit polls too).
      await sleep(100, req.signal);
    }
  }

  private async tryAcquire(base: string, req: CacheMountRequest): Promise<CacheMountLease | undefined> {
    const instances = await this.instances(base);
    const free = instances.find((i) => i.users.length === 0);
    let chosen: Instance | undefined;
    if (req.sharing === 'shared') {
      chosen = instances.find((i) => i.users.every((u) => u.sharing === 'shared'));
    } else {
      chosen = free;
      if (!chosen && req.sharing === 'locked' && instances.length > 0) return undefined;
    }
    let n: number;
    if (chosen) n = chosen.n;
    else {
      n = instances.length ? Math.max(...instances.map((i) => i.n)) + 1 : 0;
      const staging = path.join(base, String(n), 'data.new');
      await rm(path.join(base, String(n)), { recursive: true, force: true });
      await mkdir(path.dirname(staging), { recursive: true });
      await req.init(staging);
      await rename(staging, path.join(base, String(n), 'data'));
    }
    const users = path.join(base, String(n), 'users');
    await mkdir(users, { recursive: true });
    const me = path.join(users, `${process.pid}-${randomBytes(4).toString('hex')}-${req.sharing}`);
    await writeFile(me, '');
    return {
      dir: path.join(base, String(n), 'data'),
      release: () => rm(me, { force: true }),
    };
  }

  /** The complete instances of a cache, with their live users (dead ones removed). */
  private async instances(base: string): Promise<Instance[]> {
    const out: Instance[] = [];
    for (const name of await readdir(base)) {
      if (!/^\d+$/.test(name)) continue;
      const dir = path.join(base, name);
      const entries = await readdir(dir).catch(() => [] as string[]);
      if (!entries.includes('data')) {
        await rm(dir, { recursive: true, force: true }); // a crash while it was made
        continue;
      }
      const users: Instance['users'] = [];
      for (const u of await readdir(path.join(dir, 'users')).catch(() => [] as string[])) {
        const m = /^(\d+)-[0-9a-f]+-(shared|private|locked)$/.exec(u);
        if (m && processAlive(Number(m[1]))) users.push({ name: u, sharing: m[2] as CacheSharing });
        else await rm(path.join(dir, 'users', u), { force: true });
      }
      out.push({ n: Number(name), users });
    }
    return out.sort((a, b) => a.n - b.n);
  }
}
