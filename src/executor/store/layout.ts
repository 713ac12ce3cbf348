/**
 * Where things are in a snapshot store directory, and the small facts every
 * part of the store shares (chain IDs, entry metadata, the build's identity).
 *
 *   <store>/v1/layers/<chain hex>/diff        the layer's files, as an overlay lower dir
 *   <store>/v1/layers/<chain hex>/meta.json   what the entry is (written before the rename)
 *   <store>/v1/layers/<chain hex>/synced      present once the data reached the disk
 *   <store>/v1/trees/<chain hex>/…            the same for a whole tree at a chain ID (no overlay: copied)
 *   <store>/v1/tmp/<build id>.<what>-<rand>   entries being made, RUN upper dirs
 *   <store>/v1/builds/<build id>              a running build: chain IDs it uses (flock held while it runs)
 *   <store>/v1/locks/<2 hex>                  per-chain-ID locks (256 buckets, never removed)
 *   <store>/v1/gc.lock                        one collection at a time
 *
 * An entry appears under layers/ only by renaming a complete directory, so
 * a reader sees a whole entry or none; what a killed build leaves is in tmp/
 * under its build id and goes once that build's lock is free.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Digest, hexOf, parseDigest, sha256 } from '../../image/digest.js';

export const FORMAT_DIR = 'v1';

/**
 * A layer (its own files, an overlay lower dir) or a tree (every file of
 * the image at that chain ID: what roots are copied from without overlay).
 */
export type EntryKind = 'layer' | 'tree';

export class StoreLayout {
  readonly root: string;
  readonly layers: string;
  readonly trees: string;
  readonly tmp: string;
  readonly builds: string;
  readonly locks: string;
  readonly gcLock: string;

  /** `dir` is the store directory the user named (--store). */
  constructor(readonly dir: string) {
    this.root = join(dir, FORMAT_DIR);
    this.layers = join(this.root, 'layers');
    this.trees = join(this.root, 'trees');
    this.tmp = join(this.root, 'tmp');
    this.builds = join(this.root, 'builds');
    this.locks = join(this.root, 'locks');
    this.gcLock = join(this.root, 'gc.lock');
  }

  entry(chain: Digest, kind: EntryKind = 'layer'): string {
    return join(kind === 'tree' ? this.trees : this.layers, hexOf(chain));
  }

  lockFor(chain: Digest): string {
    return join(this.locks, hexOf(chain).slice(0, 2));
  }

  build(id: string): string {
    return join(this.builds, id);
  }
}

/** What meta.json says about an entry. */
export interface EntryMeta {
  version: 1;
  chain: string;
  diffId: string;
  /** Bytes the entry takes on disk (du). */
  bytes: number;
  /** How it was made: extracted from the layer's tar, the upper dir of a step, a copy of a whole root. */
  source: 'extract' | 'step' | 'tree';
  created: string;
  /** The boot it was written in (an entry of an earlier boot needs its `synced` mark). */
  boot: string;
}

export function parseMeta(text: string, chain: Digest): EntryMeta {
  const m = JSON.parse(text) as Partial<EntryMeta>;
  if (m.version !== 1 || m.chain !== chain || typeof m.diffId !== 'string' || typeof m.bytes !== 'number') {
    throw new Error('meta.json does not describe this entry');
  }
  if (typeof m.boot !== 'string' || typeof m.created !== 'string') throw new Error('meta.json is incomplete');
  return m as EntryMeta;
}

/**
 * Chain IDs of a layer list (OCI image spec): the first is its diffID, each
 * next one sha256("<previous chain ID> <diffID>").
 */
export function chainIds(diffIds: readonly string[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? parseDigest(d) : sha256(`${prev} ${d}`));
  }
  return out;
}

let bootId: string | undefined;

/** This boot's ID (Linux), or 'unknown'. */
export function currentBoot(): string {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = 'unknown';
    }
  }
  return bootId;
}

/** A new build ID: readable, unique, safe as a file name. */
export function newBuildId(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The build ID a tmp/ name starts with (`<id>.<what>`). */
export function ownerOfTemp(name: string): string | undefined {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : undefined;
}
