/**
 * docker/build-push-action's `cache-from`, `cache-to` and `outputs` entries,
 * as buildx reads them: one entry per line, each a CSV list of key=value
 * (`type=registry,ref=user/app:cache`, `"type=local,dest=a dir"`); a
 * cache entry without `type=` is a registry reference. Only what Kiln maps
 * is accepted; everything else is refused by name with what to write
 * instead. Parsing only: build-options.ts maps the specs onto BuildOptions.
 */

import { csvFields } from '../csv-record.js';

/** A cache that cache-from / cache-to name. */
export type CacheSpec =
  | { type: 'registry'; ref: string }
  | { type: 'local'; dir: string }
  | { type: 'gha'; scope?: string };

/** An image output. */
export type OutputSpec =
  | { type: 'registry' }
  /** docker-archive (`docker load` format); no dest: load it into the runner's Docker. */
  | { type: 'docker'; dest?: string }
  /** OCI image layout: a directory (tar=false) or a tar of one. */
  | { type: 'oci'; dest: string; tar: boolean };

/** Splits one CSV record (buildx uses encoding/csv); fields trimmed, empty ones dropped. */
export function splitCsv(line: string): string[] {
  let fields: string[];
  try {
    fields = csvFields(line.trim());
  } catch (e) {
    throw new Error(`"${line}": ${(e as Error).message}`);
  }
  return fields.map((f) => f.trim()).filter((f) => f.length > 0);
}

function keyValues(entry: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of splitCsv(entry)) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new Error(`"${entry}": "${f}" is not key=value`);
    const key = f.slice(0, eq).trim().toLowerCase();
    if (out.has(key)) throw new Error(`"${entry}": ${key} is given twice`);
    out.set(key, f.slice(eq + 1).trim());
  }
  return out;
}

/** Refuses keys that are not in `known` (`ignored` keys are accepted and have no effect). */
function onlyKeys(entry: string, kv: Map<string, string>, known: readonly string[]): void {
  const extra = [...kv.keys()].filter((k) => !known.includes(k));
  if (extra.length > 0) {
    throw new Error(
      `"${entry}": ${extra.map((k) => `${k}=`).join(', ')} ${extra.length > 1 ? 'are' : 'is'} not supported here (Kiln takes ${known.map((k) => `${k}=`).join(', ')})`,
    );
  }
}

/** Keys of a cache spec that change nothing in Kiln (every step is cached, a cache failure never fails the build). */
const CACHE_NO_OPS: Record<string, (v: string) => string | undefined> = {
  mode: (v) => (v === 'max' || v === 'min' ? undefined : `mode=${v}: expected max or min`),
  'ignore-error': (v) =>
    /^(true|false)$/i.test(v) ? undefined : `ignore-error=${v}: expected true or false`,
};

const CACHE_TYPES_REFUSED: Record<string, string> = {
  inline:
    'Kiln keeps no cache metadata in the image; use type=registry,ref=<repository> (a repository of its own)',
  s3: 'not supported; use type=registry, type=gha or type=local',
  azblob: 'not supported; use type=registry, type=gha or type=local',
};

/** One cache-from / cache-to entry. `direction` names the key that holds the directory (src= / dest=). */
export function parseCacheSpec(entry: string, direction: 'from' | 'to'): CacheSpec {
  const kv = entry.includes('=')
    ? keyValues(entry)
    : new Map([
        ['type', 'registry'],
        ['ref', entry.trim()],
      ]);
  const type = kv.get('type') ?? 'registry';
  for (const [k, check] of Object.entries(CACHE_NO_OPS)) {
    const v = kv.get(k);
    const bad = v === undefined ? undefined : check(v);
    if (bad) throw new Error(`"${entry}": ${bad}`);
  }
  const noOps = Object.keys(CACHE_NO_OPS);
  switch (type) {
    case 'registry': {
      onlyKeys(entry, kv, ['type', 'ref', ...noOps]);
      const ref = kv.get('ref');
      if (!ref) throw new Error(`"${entry}": type=registry needs ref=<repository>`);
      return { type: 'registry', ref };
    }
    case 'local': {
      const key = direction === 'from' ? 'src' : 'dest';
      onlyKeys(entry, kv, ['type', key, ...noOps]);
      const dir = kv.get(key);
      if (!dir) throw new Error(`"${entry}": type=local needs ${key}=<directory>`);
      return { type: 'local', dir };
    }
    case 'gha': {
      // url/token are what buildx passes from the runner's environment: @actions/cache reads them itself.
      onlyKeys(entry, kv, ['type', 'scope', 'url', 'url_v2', 'token', ...noOps]);
      const scope = kv.get('scope');
      return scope ? { type: 'gha', scope } : { type: 'gha' };
    }
    default: {
      const why = CACHE_TYPES_REFUSED[type];
      throw new Error(
        `"${entry}": type=${type} is ${why ? why : 'not a cache type Kiln knows; use type=registry, type=gha or type=local'}`,
      );
    }
  }
}

const OUTPUT_TYPES_REFUSED: Record<string, string> = {
  local:
    'not supported: Kiln writes images, not their files; use type=oci,dest=<dir>,tar=false and unpack it (umoci, skopeo)',
  tar: 'not supported: Kiln writes images, not their files; use type=oci,dest=<file> or type=docker,dest=<file>',
  cacheonly: 'not supported: every Kiln build makes an image; set push: false to keep it out of the registry',
};

function boolValue(entry: string, key: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new Error(`"${entry}": ${key}=${value}: expected true or false`);
}

/** One `outputs` entry. */
export function parseOutputSpec(entry: string): OutputSpec {
  const kv = keyValues(entry);
  const type = kv.get('type');
  if (!type) throw new Error(`"${entry}": no type= (registry, docker or oci)`);
  switch (type) {
    case 'registry':
      onlyKeys(entry, kv, ['type']);
      return { type: 'registry' };
    case 'image': {
      onlyKeys(entry, kv, ['type', 'push']);
      if (!boolValue(entry, 'push', kv.get('push'), false)) {
        throw new Error(
          `"${entry}": type=image without push=true keeps the image in BuildKit's store, which Kiln has not; use type=docker,dest=<file> or type=oci,dest=<file>`,
        );
      }
      return { type: 'registry' };
    }
    case 'docker': {
      onlyKeys(entry, kv, ['type', 'dest']);
      const dest = kv.get('dest');
      if (dest === '-') throw new Error(`"${entry}": dest=- (standard output) is not supported; name a file`);
      return dest ? { type: 'docker', dest } : { type: 'docker' };
    }
    case 'oci': {
      onlyKeys(entry, kv, ['type', 'dest', 'tar']);
      const dest = kv.get('dest');
      if (!dest || dest === '-') throw new Error(`"${entry}": type=oci needs dest=<file or directory>`);
      return { type: 'oci', dest, tar: boolValue(entry, 'tar', kv.get('tar'), true) };
    }
    default: {
      const why = OUTPUT_TYPES_REFUSED[type];
      throw new Error(
        `"${entry}": type=${type} is ${why ?? 'not an output type Kiln knows; use registry, docker or oci'}`,
      );
    }
  }
}
