/**
 * Why a cache lookup missed. A cache key is a hash of its inputs, so a miss
 * alone cannot say what changed. Each stored entry therefore carries a
 * trace of its key: the parent key and one short hash per named input
 * (`file app/main.go`, `variable VERSION`, `command`, …). The cache keeps
 * the trace of the last entry stored under each parent key. When a step
 * misses, the trace stored under the same parent is compared with the
 * step's own: what differs is the reason ("file app/main.go changed",
 * "variable VERSION changed"). When the parent itself is new, an earlier
 * step (or the base image) changed, and the step says so.
 */
import { createHash } from 'node:crypto';

/** The inputs of one key: label → short hash of the value(s). */
export interface KeyTrace {
  parent: string;
  fields: Record<string, string>;
}

/** Traces larger than this many labels are summarised by directory (they travel in a registry entry's config). */
export const TRACE_MAX_LABELS = 400;

function shortHash(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:`).update(p);
  return h.digest('hex').slice(0, 16);
}

/** The label a key field is reported under; undefined for fields that carry no meaning of their own. */
export function traceLabel(name: string, value: string): string | undefined {
  if (name.endsWith('#')) return undefined; // a list's length: its entries tell
  switch (name) {
    case 'src':
      return `file ${value.split('\0')[0]!.replace(/^\/+/, '') || '.'}`;
    case 'env': {
      const eq = value.indexOf('=');
      return `variable ${eq > 0 ? value.slice(0, eq) : value}`;
    }
    case 'argv':
      return 'command';
    case 'content':
      return `heredoc ${value.split('\0')[0]}`;
    case 'remote':
      return `remote ${value.split('\0')[0]}`;
    case 'archive':
      return 'archive';
    case 'from':
      return 'the stage or image copied from';
    case 'patterns':
      return 'sources';
    case 'uncached':
    case 'parent':
      return undefined;
    default:
      return name;
  }
}

/** Collects a key's labelled inputs as it is built. */
export class TraceRecorder {
  private readonly values = new Map<string, string[]>();

  /** A field's value: bytes (a file name that is not UTF-8) are labelled as text, hashed as they are. */
  add(name: string, value: string | Uint8Array): void {
    const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
    const label = traceLabel(name, text);
    if (label === undefined) return;
    const raw = typeof value === 'string' ? value : Buffer.from(value).toString('latin1');
    const list = this.values.get(label);
    if (list) list.push(raw);
    else this.values.set(label, [raw]);
  }

  /** Merges another recorder's labels (the COPY sources' key into the step's). */
  merge(other: TraceRecorder): void {
    for (const [label, vs] of other.values) {
      const list = this.values.get(label);
      if (list) list.push(...vs);
      else this.values.set(label, [...vs]);
    }
  }

  trace(parent: string): KeyTrace {
    const fields: Record<string, string> = {};
    for (const [label, vs] of this.values) fields[label] = shortHash(vs);
    return { parent, fields: summarise(fields) };
  }
}

/** Above TRACE_MAX_LABELS, file labels collapse into their directories, shallower until it fits. */
function summarise(fields: Record<string, string>): Record<string, string> {
  if (Object.keys(fields).length <= TRACE_MAX_LABELS) return fields;
  for (let depth = 3; depth >= 0; depth--) {
    const grouped = new Map<string, string[]>();
    for (const [label, h] of Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      let key = label;
      if (label.startsWith('file ')) {
        // A file `depth` or more directories down goes under its directory at that depth.
        const parts = label.slice(5).split('/');
        if (parts.length > depth) key = `files in ${parts.slice(0, depth).join('/') || '.'}/`;
      }
      const list = grouped.get(key);
      if (list) list.push(label, h);
      else grouped.set(key, [label, h]);
    }
    if (grouped.size <= TRACE_MAX_LABELS || depth === 0) {
      const out: Record<string, string> = {};
      for (const [key, parts] of grouped)
        out[key] = parts.length === 2 && parts[0] === key ? parts[1]! : shortHash(parts);
      return out;
    }
  }
  return fields;
}

const MAX_NAMED = 3;

/** What differs between the stored trace and this build's, as a miss reason. */
export function explainDifference(before: KeyTrace, now: KeyTrace): string {
  const changed: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  for (const [label, h] of Object.entries(now.fields)) {
    const old = before.fields[label];
    if (old === undefined) added.push(label);
    else if (old !== h) changed.push(label);
  }
  for (const label of Object.keys(before.fields)) if (!(label in now.fields)) removed.push(label);
  const parts = [
    ...changed.map((l) => `${l} changed`),
    ...added.map((l) => `${l} added`),
    ...removed.map((l) => `${l} removed`),
  ];
  if (parts.length === 0) return 'no entry (the same inputs as the last entry, which is gone)';
  const named = parts.slice(0, MAX_NAMED).join(', ');
  return parts.length > MAX_NAMED ? `${named} and ${parts.length - MAX_NAMED} more` : named;
}

/** Checks a trace read from a cache; undefined when it is not one. */
export function parseTrace(value: unknown): KeyTrace | undefined {
  const t = value as Partial<KeyTrace> | null;
  if (typeof t !== 'object' || t === null || typeof t.parent !== 'string') return undefined;
  if (typeof t.fields !== 'object' || t.fields === null) return undefined;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.fields)) if (typeof v === 'string') fields[k] = v;
  return { parent: t.parent, fields };
}
