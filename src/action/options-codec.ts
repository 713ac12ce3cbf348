/**
 * BuildOptions as JSON and back, for the privileged executor (see
 * privileged-build.ts): Maps become `{"$map": [[key, value], …]}` so build
 * args, labels and certificates survive; everything else in BuildOptions is
 * plain JSON. A key that happens to be named `$map` in a plain object is
 * escaped, so decoding is exact.
 */
import type { BuildOptions } from '../executor/options.js';

const MAP = '$map';

function encode(value: unknown): unknown {
  if (value instanceof Map) {
    return { [MAP]: [...value.entries()].map(([k, v]) => [encode(k), encode(v)]) };
  }
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[k.startsWith('$') ? `$${k}` : k] = encode(v);
    }
    return out;
  }
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === MAP) {
      const entries = obj[MAP];
      if (!Array.isArray(entries)) throw new Error('options: a $map holds no entry list');
      return new Map(
        entries.map((e) => {
          if (!Array.isArray(e) || e.length !== 2) throw new Error('options: a $map entry is not a pair');
          return [decode(e[0]), decode(e[1])];
        }),
      );
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k.startsWith('$$') ? k.slice(1) : k] = decode(v);
    return out;
  }
  return value;
}

/** Any value holding Maps (BuildOptions, a request around it) as JSON text. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(encode(value));
}

/** The inverse of encodeJson(). */
export function decodeJson(text: string): unknown {
  return decode(JSON.parse(text));
}

/** Checks the fields the executor cannot run without; the rest is trusted (our own parent wrote it). */
export function assertBuildOptions(value: unknown): BuildOptions {
  const o = value as Partial<BuildOptions> | null;
  const problems: string[] = [];
  if (typeof o !== 'object' || o === null) throw new Error('build options: not an object');
  if (typeof o.context !== 'string') problems.push('context');
  if (typeof o.dockerfile !== 'string') problems.push('dockerfile');
  if (!Array.isArray(o.destinations)) problems.push('destinations');
  for (const m of ['buildArgs', 'labels', 'registryCertificates'] as const) {
    if (!(o[m] instanceof Map)) problems.push(m);
  }
  if (typeof o.cache !== 'object' || o.cache === null) problems.push('cache');
  if (problems.length > 0) throw new Error(`build options: missing or malformed ${problems.join(', ')}`);
  return o as BuildOptions;
}
