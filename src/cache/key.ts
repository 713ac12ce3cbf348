/**
 * Cache keys: a rolling sha256 over length-framed fields. Each step's key is
 * derived from its parent's key, so a change anywhere invalidates every step
 * after it and nothing before it; framing makes ("ab","c") differ from
 * ("a","bc").
 */
import { createHash } from 'node:crypto';
import { type KeyTrace, TraceRecorder } from './key-trace.js';

export const CACHE_KEY_VERSION = 'kiln-cache-v1';

export class CacheKeyBuilder {
  private readonly hash = createHash('sha256');
  private readonly recorder = new TraceRecorder();
  private done: string | undefined;

  constructor(readonly parent: string) {
    this.field('parent', parent);
  }

  /** Adds a named field; names keep different kinds of input apart (and name it in a miss reason). */
  field(name: string, value: string | Uint8Array): this {
    this.hashField(name, value);
    this.recorder.add(name, value);
    return this;
  }

  /** Adds another key as one field; its inputs count as this key's in a miss reason. */
  include(name: string, other: CacheKeyBuilder): this {
    this.hashField(name, other.digest());
    this.recorder.merge(other.recorder);
    return this;
  }

  private hashField(name: string, value: string | Uint8Array): void {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const head = Buffer.from(name, 'utf8');
    this.hash.update(frame(head.length)).update(head).update(frame(bytes.length)).update(bytes);
  }

  /** The key's inputs, for explaining a later miss (key-trace.ts). */
  trace(): KeyTrace {
    return this.recorder.trace(this.parent);
  }

  /** Adds a list (e.g. the environment of a RUN) as one field, order kept. */
  list(name: string, values: readonly string[]): this {
    this.field(`${name}#`, String(values.length));
    for (const v of values) this.field(name, v);
    return this;
  }

  /** The key: 64 hex characters, usable as a registry tag and a file name. */
  digest(): string {
    this.done ??= this.hash.digest('hex');
    return this.done;
  }
}

function frame(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Build settings that change the bytes of the layers a step writes. */
export interface LayerSettings {
  /** Layer mtimes clamped to this (seconds; --reproducible / SOURCE_DATE_EPOCH). */
  clampMtime?: number;
  /** Whether extended attributes are recorded in layers. */
  xattrs: boolean;
}

/**
 * The key a stage's first step builds on: the base image (its manifest
 * digest, or `scratch`), the platform, and the settings that shape layer
 * bytes, so a layer written under other settings is never reused.
 */
export function baseKey(baseIdentity: string, platform: string, layers?: LayerSettings): string {
  const k = new CacheKeyBuilder(CACHE_KEY_VERSION).field('base', baseIdentity).field('platform', platform);
  if (layers) {
    k.field('clamp-mtime', layers.clampMtime === undefined ? '' : String(layers.clampMtime)).field(
      'xattrs',
      String(layers.xattrs),
    );
  }
  return k.digest();
}
