/**
 * The exact bytes of configs, manifests and indexes, written the way
 * BuildKit (Go's encoding/json) writes them, so that digests are stable and
 * the documents look like Docker's:
 *  - config: top-level keys sorted (BuildKit re-encodes the config as a Go
 *    map); `config` in the struct order of the OCI ImageConfig followed by
 *    Docker's extensions; history entries and rootfs in struct order; maps
 *    (Labels, ExposedPorts, Volumes, annotations) sorted by key;
 *  - manifest/index/descriptor/platform: the struct order of image-spec;
 *  - compact, and `<`, `>`, `&`, U+2028, U+2029 escaped as Go does.
 * Keys nobody here knows are kept, after the known ones, in their order.
 */
import type { ImageConfig, ImageIndex, ImageManifest } from './manifest.js';

/** How the keys of an object at a path are ordered: 'sorted' or a known order. */
type Order = 'sorted' | readonly string[];
type Orders = Record<string, Order>;

const DESCRIPTOR = ['mediaType', 'digest', 'size', 'urls', 'annotations', 'data', 'platform', 'artifactType'];
const PLATFORM = ['architecture', 'os', 'os.version', 'os.features', 'variant'];

const CONFIG_ORDERS: Orders = {
  '': 'sorted',
  config: [
    'User',
    'ExposedPorts',
    'Env',
    'Entrypoint',
    'Cmd',
    'Volumes',
    'WorkingDir',
    'Labels',
    'StopSignal',
    'ArgsEscaped',
    'Healthcheck',
    'OnBuild',
    'Shell',
  ],
  'config.ExposedPorts': 'sorted',
  'config.Volumes': 'sorted',
  'config.Labels': 'sorted',
  'config.Healthcheck': ['Test', 'Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'],
  'history[]': ['created', 'created_by', 'author', 'comment', 'empty_layer'],
  rootfs: ['type', 'diff_ids'],
};

const MANIFEST_ORDERS: Orders = {
  '': ['schemaVersion', 'mediaType', 'artifactType', 'config', 'layers', 'subject', 'annotations'],
  config: DESCRIPTOR,
  'layers[]': DESCRIPTOR,
  subject: DESCRIPTOR,
  annotations: 'sorted',
  'config.annotations': 'sorted',
  'layers[].annotations': 'sorted',
};

const INDEX_ORDERS: Orders = {
  '': ['schemaVersion', 'mediaType', 'artifactType', 'manifests', 'subject', 'annotations'],
  'manifests[]': DESCRIPTOR,
  'manifests[].platform': PLATFORM,
  'manifests[].annotations': 'sorted',
  subject: DESCRIPTOR,
  annotations: 'sorted',
};

export function encodeConfig(config: ImageConfig): string {
  return encode(config, '', CONFIG_ORDERS);
}

export function encodeManifest(manifest: ImageManifest): string {
  return encode(manifest, '', MANIFEST_ORDERS);
}

export function encodeIndex(index: ImageIndex): string {
  return encode(index, '', INDEX_ORDERS);
}

/** A JSON string as Go writes it (HTML-safe escapes). */
export function goString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function encode(v: unknown, path: string, orders: Orders): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return goString(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`cannot encode ${v} at "${path}" as JSON`);
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new TypeError(`cannot encode a ${typeof v} at "${path}" as JSON`);
  }
  if (Array.isArray(v)) return `[${v.map((x) => encode(x, `${path}[]`, orders)).join(',')}]`;
  const obj = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of orderKeys(Object.keys(obj), orders[path])) {
    const value = obj[key];
    if (value === undefined) continue;
    parts.push(`${goString(key)}:${encode(value, path ? `${path}.${key}` : key, orders)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Keys in the wanted order. Go sorts map keys by their bytes (UTF-8), which
 * for strings is code-point order; JS's default sort compares UTF-16 units,
 * which differs only above the BMP, so compare code points explicitly.
 */
function orderKeys(keys: string[], order: Order | undefined): string[] {
  if (order === 'sorted') return [...keys].sort(compareCodePoints);
  if (!order) return keys;
  const known = order.filter((k) => keys.includes(k));
  return [...known, ...keys.filter((k) => !order.includes(k))];
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}
