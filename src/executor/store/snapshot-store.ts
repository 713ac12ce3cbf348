/**
 * The local snapshot store: every layer a build has seen, unpacked, kept by
 * chain ID in a directory that every later build on the machine reuses (see
 * layout.ts for the files). A stage root is an overlay of these entries
 * (executor/isolation/store-root.ts): starting from a known base or a
 * cached step costs a mount, not an extraction.
 *
 *   const store = await SnapshotStore.open({ dir, maxBytes }, log);
 *   const e = await store.ensure(chain, diffId, (t) => extractInto(t.diff));   // made once per machine
 *   const upper = await store.temp('upper');                                    // a step's upper dir…
 *   await store.adopt(chain2, diffId2, upper);                                  // …becomes an entry
 *   await store.close();                                                        // cap, sync, release
 *
 * Sharing: entries are made in tmp/ and renamed into place (readers see a
 * whole entry or none); a per-chain-ID lock keeps two builds from
 * extracting the same layer twice; each build lists the entries it uses in
 * its builds/ file, so a collection never removes what a running build has
 * mounted. Entries written in an earlier boot are trusted only with their
 * `synced` mark (set once a syncfs after the build finished).
 */
import { spawn } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Digest, hexOf } from '../../image/digest.js';
import type { Logger } from '../../log.js';
import { CLEAN_ENV } from '../isolation/host-tools.js';
import { removeInBackground as removeTree } from '../workspace.js';
import { type CollectResult, collectStore, formatBytes } from './collect.js';
import { type HeldLock, tryLock, waitForLock } from './flock.js';
import { currentBoot, type EntryKind, type EntryMeta, newBuildId, parseMeta, StoreLayout } from './layout.js';
import { orphanedTemps } from './liveness.js';

export interface StoreSettings {
  /** The store directory (--store). */
  dir: string;
  /** Size cap in bytes (--store-max): least recently used entries beyond it go after a build. */
  maxBytes: number;
}

export interface StoreEntry {
  readonly chain: Digest;
  /** The entry's files: an overlay lower dir (whiteouts as 0/0 devices, opaque dirs by xattr). */
  readonly diff: string;
  readonly meta: EntryMeta;
}

/** A directory in tmp/ owned by this build: `diff` (created) and room beside it (work dirs). */
export interface TempEntry {
  readonly dir: string;
  readonly diff: string;
}

export class StoreError extends Error {
  override name = 'StoreError';
}

export class SnapshotStore {
  readonly layout: StoreLayout;
  /** What this build did, for its log: entries reused, made by extraction, made by steps. */
  readonly counts = { reused: 0, extracted: 0, adopted: 0 };
  private readonly used = new Set<string>();
  private readonly making = new Map<string, Promise<StoreEntry>>();
  private readonly temps = new Set<string>();
  private readonly created: string[] = [];
  private closed = false;

  private constructor(
    readonly settings: StoreSettings,
    private readonly log: Logger,
    readonly id: string,
    private readonly lease: HeldLock,
  ) {
    this.layout = new StoreLayout(settings.dir);
  }

  /**
   * Opens (creating) the store, registers this build, and discards what
   * builds that ended mid-write left in tmp/.
   */
  static async open(settings: StoreSettings, log: Logger): Promise<SnapshotStore> {
    const layout = new StoreLayout(settings.dir);
    try {
      for (const d of [layout.layers, layout.trees, layout.tmp, layout.builds, layout.locks]) {
        await mkdir(d, { recursive: true, mode: 0o700 });
      }
    } catch (e) {
      throw new StoreError(`the snapshot store ${settings.dir} cannot be created: ${(e as Error).message}`);
    }
    const { id, lease } = await register(layout);
    const store = new SnapshotStore(settings, log, id, lease);
    await store.discardOrphans();
    return store;
  }

  private async discardOrphans(): Promise<void> {
    const orphans = await orphanedTemps(this.layout, this.id);
    if (orphans.length === 0) return;
    this.log.info(
      `snapshot store: discarding ${orphans.length} unfinished entr${orphans.length === 1 ? 'y' : 'ies'} of a build that ended mid-write`,
    );
    await Promise.all(orphans.map((o) => removeTree(o)));
  }

  /** Marks a chain ID as used by this build (before looking at it: a collection then keeps it). */
  private async markUsed(chain: Digest): Promise<void> {
    const hex = hexOf(chain);
    if (this.used.has(hex)) return;
    this.used.add(hex);
    await appendFile(this.layout.build(this.id), `${hex}\n`);
  }

  /** The entry of `chain` if the store has a complete one (marked used); a broken one is discarded. */
  async get(chain: Digest, kind: EntryKind = 'layer'): Promise<StoreEntry | undefined> {
    await this.markUsed(chain);
    const dir = this.layout.entry(chain, kind);
    let text: string;
    try {
      text = await readFile(join(dir, 'meta.json'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (await stat(dir).catch(() => undefined)) await this.discard(chain, kind, 'it has no meta.json');
      return undefined;
    }
    let meta: EntryMeta;
    try {
      meta = parseMeta(text, chain);
    } catch (e) {
      await this.discard(chain, kind, (e as Error).message);
      return undefined;
    }
    if (meta.boot !== currentBoot() && !(await stat(join(dir, 'synced')).catch(() => undefined))) {
      await this.discard(chain, kind, 'it was written before a reboot and never synced to disk');
      return undefined;
    }
    if (!(await stat(join(dir, 'diff')).catch(() => undefined))?.isDirectory()) {
      await this.discard(chain, kind, 'its diff directory is missing');
      return undefined;
    }
    const now = new Date();
    await utimes(join(dir, 'meta.json'), now, now).catch(() => undefined);
    return { chain, diff: join(dir, 'diff'), meta };
  }

  private async discard(chain: Digest, kind: EntryKind, why: string): Promise<void> {
    this.log.warn(
      `snapshot store: discarding ${kind === 'tree' ? 'tree' : 'entry'} ${hexOf(chain).slice(0, 12)}: ${why}`,
    );
    const to = join(this.layout.tmp, `${this.id}.discard-${hexOf(chain).slice(0, 12)}-${rand()}`);
    await rename(this.layout.entry(chain, kind), to).catch(() => undefined);
    await removeTree(to);
  }

  /**
   * The entry of `chain`, made by `fill` when the store lacks it: `fill`
   * writes the layer's files into `t.diff` (a throw discards them). One
   * build at a time makes a given chain ID; the others wait and reuse it.
   */
  ensure(
    chain: Digest,
    diffId: Digest,
    fill: (t: TempEntry) => Promise<void>,
    kind: EntryKind = 'layer',
  ): Promise<StoreEntry> {
    const key = `${kind}:${hexOf(chain)}`;
    let p = this.making.get(key);
    if (!p) {
      p = this.make(chain, diffId, fill, kind);
      this.making.set(key, p);
      p.catch(() => this.making.delete(key));
    }
    return p;
  }

  private async make(
    chain: Digest,
    diffId: Digest,
    fill: (t: TempEntry) => Promise<void>,
    kind: EntryKind,
  ): Promise<StoreEntry> {
    const found = await this.get(chain, kind);
    if (found) {
      if (kind === 'layer') this.counts.reused++;
      return found;
    }
    const lock = await waitForLock(this.layout.lockFor(chain), 3600);
    try {
      const made = await this.get(chain, kind);
      if (made) {
        if (kind === 'layer') this.counts.reused++;
        return made;
      }
      const t = await this.temp(kind === 'tree' ? 'tree' : 'extract');
      try {
        await fill(t);
      } catch (e) {
        // Half an extraction can be big: removed by rm in a child process.
        this.temps.delete(t.dir);
        await removeTree(t.dir);
        throw e;
      }
      const entry = await this.rename(chain, diffId, t, kind === 'tree' ? 'tree' : 'extract', kind);
      if (kind === 'layer') this.counts.extracted++;
      return entry;
    } finally {
      await lock.release();
    }
  }

  /** A new directory in tmp/ (with an empty `diff`), removed at close() unless adopted. */
  async temp(what: string): Promise<TempEntry> {
    const dir = join(this.layout.tmp, `${this.id}.${what}-${rand()}`);
    await mkdir(join(dir, 'diff'), { recursive: true, mode: 0o700 });
    this.temps.add(dir);
    return { dir, diff: join(dir, 'diff') };
  }

  /** Removes a temp directory now (an upper dir of a step or a mount: small, removed in process). */
  async dropTemp(t: TempEntry): Promise<void> {
    this.temps.delete(t.dir);
    await rm(t.dir, { recursive: true, force: true });
  }

  /**
   * Turns `t` (its `diff` complete, nothing mounted on it) into the entry of
   * `chain`. If another build made that entry meanwhile, `t` goes and theirs is returned.
   */
  adopt(chain: Digest, diffId: Digest, t: TempEntry): Promise<StoreEntry> {
    const hex = `layer:${hexOf(chain)}`;
    const busy = this.making.get(hex);
    if (busy) {
      // This build is making the same entry already: that one wins.
      return busy.then(async (e) => {
        await this.dropTemp(t);
        return e;
      });
    }
    const p = this.rename(chain, diffId, t, 'step', 'layer');
    this.making.set(hex, p);
    p.catch(() => this.making.delete(hex));
    return p;
  }

  private async rename(
    chain: Digest,
    diffId: Digest,
    t: TempEntry,
    source: EntryMeta['source'],
    kind: EntryKind,
  ): Promise<StoreEntry> {
    await this.markUsed(chain);
    // Everything but diff/ (overlay work dir, lower links, stubs) goes before the rename.
    for (const name of await readdir(t.dir)) {
      if (name !== 'diff') await rm(join(t.dir, name), { recursive: true, force: true });
    }
    const meta: EntryMeta = {
      version: 1,
      chain,
      diffId,
      bytes: diskUsage(t.diff),
      source,
      created: new Date().toISOString(),
      boot: currentBoot(),
    };
    await writeFile(join(t.dir, 'meta.json'), `${JSON.stringify(meta)}\n`);
    const dir = this.layout.entry(chain, kind);
    try {
      await rename(t.dir, dir);
    } catch (e) {
      this.temps.delete(t.dir);
      await removeTree(t.dir);
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      const theirs = await this.get(chain, kind);
      if (theirs) return theirs;
      throw new StoreError(`the snapshot store entry ${dir} appeared and vanished while it was written`);
    }
    this.temps.delete(t.dir);
    this.created.push(dir);
    if (source === 'step') this.counts.adopted++;
    return { chain, diff: join(dir, 'diff'), meta };
  }

  /**
   * Removes least recently used entries until the store holds at most
   * `maxBytes` (0: every entry), never one a running build uses (kiln prune).
   */
  prune(maxBytes: number): Promise<CollectResult> {
    return collectStore(this.layout, { maxBytes, self: this.id, wait: true, log: this.log });
  }

  /**
   * Ends this build's use of the store: its temp dirs go, entries it made
   * are synced to disk in a detached process (marked `synced` after), the
   * size cap is applied (never to entries a running build uses), and its
   * registration is released. Call after every mount over the store is gone.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.temps].map((d) => removeTree(d)));
    this.temps.clear();
    const { reused, extracted, adopted } = this.counts;
    this.log.debug(
      `snapshot store: ${reused} layer(s) reused, ${extracted} extracted, ${adopted} from steps`,
    );
    try {
      if (this.created.length > 0) {
        syncInBackground(this.layout.root, this.created);
        const r = await collectStore(this.layout, {
          maxBytes: this.settings.maxBytes,
          self: this.id,
          log: this.log,
        });
        this.log.info(
          `snapshot store ${this.settings.dir}: ${formatBytes(r.bytes)} in ${r.entries} entr${r.entries === 1 ? 'y' : 'ies'} (cap ${formatBytes(this.settings.maxBytes)})` +
            (r.removed ? `; removed ${r.removed} least recently used (${formatBytes(r.freed)})` : ''),
        );
      }
    } catch (e) {
      this.log.warn(`snapshot store: ${(e as Error).message}`);
    } finally {
      await rm(this.layout.build(this.id), { force: true });
      await this.lease.release();
    }
  }
}

/**
 * A new build file in builds/, locked for as long as this process uses the
 * store. A collection removes unlocked files while holding their lock: if
 * ours went before we locked it, we lock a removed file, so check and retry.
 */
async function register(layout: StoreLayout): Promise<{ id: string; lease: HeldLock }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = newBuildId();
    const lease = await tryLock(layout.build(id));
    if (lease && (await stat(layout.build(id)).catch(() => undefined))) return { id, lease };
    await lease?.release();
  }
  throw new StoreError(`cannot register this build in ${layout.builds}: its files keep vanishing`);
}

function rand(): string {
  return Math.random().toString(36).slice(2, 10);
}

/**
 * Bytes a tree takes on disk (allocated blocks, hardlinks once), walked
 * synchronously: one lstat per entry, no process to start.
 */
export function diskUsage(dir: string): number {
  const seen = new Set<bigint>();
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const st = lstatSync(p, { bigint: true });
      if (st.nlink > 1n) {
        if (seen.has(st.ino)) continue;
        seen.add(st.ino);
      }
      bytes += Number(st.blocks) * 512;
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return bytes;
}

/**
 * syncfs of the store's filesystem in a detached process that outlives
 * Kiln, then the `synced` mark in each new entry: an entry whose data may
 * not have reached the disk before a power loss is never trusted after it.
 */
function syncInBackground(root: string, entries: string[]): void {
  const script = 'sync -f "$0" && for e in "$@"; do : > "$e/synced"; done';
  const child = spawn('/bin/sh', ['-c', script, root, ...entries], {
    detached: true,
    stdio: 'ignore',
    env: CLEAN_ENV,
  });
  child.on('error', () => undefined);
  child.unref();
}
