/**
 * A memo of file content digests for hashing COPY sources, kept in the
 * local cache directory between builds: a file whose path, size, mtime,
 * ctime, inode and device are unchanged is not read again. One memo file
 * per build-context root. Files changed within the last seconds are not
 * memoised (a later change could keep the same timestamps on a filesystem
 * with coarse ones, git's "racy clean" problem).
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { explainWrite } from '../fs/disk-full.js';

/** Files touched more recently than this are hashed but not memoised. */
const RACY_MS = 3000;
/** Entries kept beyond those used by this build, per root. */
const KEEP_UNUSED = 200_000;
const VERSION = 1;

interface Stored {
  version: number;
  root: string;
  /** abs path → [stat signature, sha256 hex] */
  files: Record<string, [string, string]>;
}

function signature(st: Stats): string {
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}:${st.mode}`;
}

export interface DigestScope {
  /** The memoised sha256 (hex) of `abs` when its stat is unchanged. */
  get(abs: string, st: Stats): string | undefined;
  set(abs: string, st: Stats, hex: string): void;
}

class Scope implements DigestScope {
  readonly used = new Map<string, [string, string]>();
  dirty = false;
  hits = 0;

  constructor(
    readonly root: string,
    readonly file: string,
    readonly old: Map<string, [string, string]>,
    private readonly now: () => number,
  ) {}

  get(abs: string, st: Stats): string | undefined {
    const e = this.used.get(abs) ?? this.old.get(abs);
    if (!e || e[0] !== signature(st)) return undefined;
    this.used.set(abs, e);
    this.hits++;
    return e[1];
  }

  set(abs: string, st: Stats, hex: string): void {
    if (this.now() - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS) return;
    this.used.set(abs, [signature(st), hex]);
    this.dirty = true;
  }
}

export class FileDigestMemo {
  private readonly scopes = new Map<string, Promise<Scope>>();

  constructor(
    private readonly dir: string,
    private readonly temp: { tempPath(what: string): string },
    private readonly now: () => number = Date.now,
  ) {}

  /** The memo for files under `root` (loaded once per build). */
  scope(root: string): Promise<DigestScope> {
    let s = this.scopes.get(root);
    if (!s) {
      s = this.load(root);
      this.scopes.set(root, s);
    }
    return s;
  }

  private async load(root: string): Promise<Scope> {
    const name = createHash('sha256').update(root).digest('hex').slice(0, 32);
    const file = path.join(this.dir, `${name}.json`);
    const old = new Map<string, [string, string]>();
    try {
      const stored = JSON.parse(await fs.readFile(file, 'utf8')) as Stored;
      if (stored.version === VERSION && stored.root === root) {
        for (const [k, v] of Object.entries(stored.files)) {
          if (Array.isArray(v) && typeof v[0] === 'string' && /^[a-f0-9]{64}$/.test(String(v[1]))) {
            old.set(k, v);
          }
        }
      }
    } catch {
      // No memo yet, or an unreadable one: start empty.
    }
    return new Scope(root, file, old, this.now);
  }

  /** Writes the memos that changed (temp file + rename). */
  async save(): Promise<void> {
    for (const p of this.scopes.values()) {
      const s = await p;
      if (!s.dirty) continue;
      const files: Record<string, [string, string]> = {};
      for (const [k, v] of s.used) files[k] = v;
      let extra = 0;
      for (const [k, v] of s.old) {
        if (extra >= KEEP_UNUSED) break;
        if (!(k in files)) {
          files[k] = v;
          extra++;
        }
      }
      const stored: Stored = { version: VERSION, root: s.root, files };
      await fs.mkdir(this.dir, { recursive: true });
      const tmp = this.temp.tempPath('file-digests');
      try {
        await fs.writeFile(tmp, JSON.stringify(stored));
        await fs.rename(tmp, s.file);
      } catch (e) {
        await fs.rm(tmp, { force: true });
        throw explainWrite(e, s.file);
      }
      s.dirty = false;
    }
  }
}
