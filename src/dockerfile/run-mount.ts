/**
 * `RUN --mount=...`, `--network=...`, `--security=...`: parsed and checked
 * like BuildKit (instructions/commands_runmount.go). A `--mount` value whose
 * fields use variables is checked as far as its literal fields allow when
 * the Dockerfile is parsed, and parsed again with the stage's ARG/ENV at
 * dispatch (expandRunMount), as BuildKit does.
 */
import { CsvError, csvFields } from '../csv-record.js';
import type { RunInstruction, RunMount } from './instructions.js';
import { LineError } from './line-parsers.js';

const MOUNT_TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'] as const;
const SHARING = ['shared', 'private', 'locked'] as const;
const MOUNT_KEYS = new Set([
  'type',
  'from',
  'source',
  'src',
  'target',
  'dst',
  'destination',
  'readonly',
  'ro',
  'readwrite',
  'rw',
  'required',
  'id',
  'sharing',
  'mode',
  'uid',
  'gid',
  'env',
  'size',
]);

/** The fields of a `--mount` value (CSV, as BuildKit reads it). */
function mountFields(text: string): string[] {
  try {
    return csvFields(text);
  } catch (e) {
    if (e instanceof CsvError) throw new LineError(`--mount=${text}: ${e.message}`);
    throw e;
  }
}

function parseBool(text: string, field: string): boolean {
  const t = text.toLowerCase();
  if (['1', 't', 'true'].includes(t)) return true;
  if (['0', 'f', 'false'].includes(t)) return false;
  throw new LineError(`invalid value for ${field}: expected true or false`);
}

const RAM_UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/** docker/go-units RAMInBytes: `64m`, `1.5g`, `512KiB`, `1048576` (binary multiples). */
export function parseRamSize(text: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!m) throw new LineError(`invalid value for size: ${text} (use bytes or a size such as 64m or 1g)`);
  return Math.floor(Number(m[1]) * RAM_UNITS[(m[2] ?? '').toLowerCase()]!);
}

function parseUint(text: string, radix: 8 | 10, field: string): number {
  const ok = radix === 8 ? /^[0-7]+$/.test(text) : /^\d+$/.test(text);
  const n = ok ? Number.parseInt(text, radix) : Number.NaN;
  if (!Number.isInteger(n) || n > 0xffffffff) {
    throw new LineError(
      `invalid value ${text} for ${field}${radix === 8 ? ' (an octal mode such as 0755)' : ''}`,
    );
  }
  return n;
}

function hasVariable(field: string): boolean {
  const eq = field.indexOf('=');
  return eq >= 0 && field.slice(eq + 1).includes('$');
}

/**
 * Parses one `--mount` value. `expand` (the stage scope) expands every
 * value; without it, fields holding a variable are kept for dispatch.
 */
export function parseRunMount(value: string, expand?: (word: string) => string): RunMount {
  const all = mountFields(value);
  for (const f of all) {
    if (/^from=/i.test(f) && /\$./.test(f.slice(5))) {
      throw new LineError("'from' doesn't support variable expansion, define alias stage instead");
    }
  }
  if (!expand && all.some(hasVariable)) {
    // Checked as far as the literal fields go; parsed for good at dispatch.
    const typeKnown = !all.some((f) => /^type=/i.test(f) && hasVariable(f));
    const partial = build(
      all.filter((f) => f.includes('=') && !hasVariable(f)),
      (v) => v,
      false,
      typeKnown,
    );
    return { ...partial, raw: value };
  }
  return build(all, expand ?? ((v) => v), true);
}

/** The mount with its variables expanded against the stage's scope (BuildKit expands at dispatch). */
export function expandRunMount(m: RunMount, expand: (word: string) => string): RunMount {
  return m.raw === undefined ? m : parseRunMount(m.raw, expand);
}

/**
 * `complete`: every field is there (else some wait for dispatch);
 * `typeKnown`: the type is known (checks that depend on it can run).
 */
function build(
  fields: string[],
  expand: (v: string) => string,
  complete: boolean,
  typeKnown = true,
): RunMount {
  let type: RunMount['type'] = 'bind';
  let readonly: boolean | undefined;
  const options: Record<string, string> = {};
  const mount: Omit<RunMount, 'type' | 'readonly'> = { options };
  const fileInfo: string[] = [];
  const typed = (check: () => void) => {
    if (typeKnown) check();
  };
  for (const field of fields) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') readonly = true;
      else if (key === 'readwrite' || key === 'rw') readonly = false;
      else if (key === 'required') {
        if (type !== 'secret' && type !== 'ssh')
          throw new LineError(`unexpected key 'required' for mount type '${type}'`);
        options.required = 'true';
      } else throw new LineError(`invalid field '${field}' in --mount: it must be a key=value pair`);
      continue;
    }
    const v = expand(field.slice(eq + 1));
    if (!MOUNT_KEYS.has(key)) throw new LineError(`unexpected key '${key}' in '${field}' of --mount`);
    options[key] = v;
    switch (key) {
      case 'type': {
        const t = v.toLowerCase();
        if (!(MOUNT_TYPES as readonly string[]).includes(t)) {
          throw new LineError(`unsupported mount type ${JSON.stringify(v)} (use ${MOUNT_TYPES.join(', ')})`);
        }
        type = t as RunMount['type'];
        break;
      }
      case 'from':
        mount.from = v;
        break;
      case 'source':
      case 'src':
        mount.source = v;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.target = v;
        break;
      case 'readonly':
      case 'ro':
        readonly = parseBool(v, key);
        break;
      case 'readwrite':
      case 'rw':
        readonly = !parseBool(v, key);
        break;
      case 'required':
        typed(() => {
          if (type !== 'secret' && type !== 'ssh')
            throw new LineError(`unexpected key 'required' for mount type '${type}'`);
        });
        options.required = String(parseBool(v, key));
        break;
      case 'size':
        typed(() => {
          if (type !== 'tmpfs') throw new LineError(`unexpected key 'size' for mount type '${type}'`);
        });
        parseRamSize(v);
        break;
      case 'sharing':
        if (!(SHARING as readonly string[]).includes(v.toLowerCase())) {
          throw new LineError(`unsupported sharing value ${JSON.stringify(v)} (use ${SHARING.join(', ')})`);
        }
        options.sharing = v.toLowerCase();
        break;
      case 'mode':
        parseUint(v, 8, key);
        fileInfo.push(key);
        break;
      case 'uid':
      case 'gid':
        parseUint(v, 10, key);
        fileInfo.push(key);
        break;
      default:
        break;
    }
  }
  typed(() => {
    if (type !== 'secret' && type !== 'ssh' && type !== 'cache' && fileInfo.length > 0) {
      throw new LineError(`${fileInfo[0]} not allowed for "${type}" type mounts`);
    }
    if (options.sharing !== undefined && type !== 'cache') {
      throw new LineError(`invalid cache sharing set for ${type} mount`);
    }
    if (type === 'secret') {
      if (mount.from !== undefined) throw new LineError('secret mount should not have a from');
      if (complete && !mount.source && !mount.target && !options.id) {
        throw new LineError('invalid secret mount. one of source, target required');
      }
      if (mount.source && options.id) throw new LineError("both source and id can't be set");
    }
    if (type === 'ssh' && mount.source) throw new LineError('ssh does not support source');
  });
  readonly ??= !(type === 'cache' || type === 'tmpfs');
  return { type, readonly, ...mount };
}

/** The typed options of a parsed (and expanded) mount; defaults are applied by the executor. */
export function mountOptions(m: RunMount): {
  id?: string;
  sharing?: 'shared' | 'private' | 'locked';
  mode?: number;
  uid?: number;
  gid?: number;
  env?: string;
  sizeBytes?: number;
  required: boolean;
} {
  const o = m.options;
  return {
    ...(o.id === undefined ? {} : { id: o.id }),
    ...(o.sharing === undefined ? {} : { sharing: o.sharing as 'shared' | 'private' | 'locked' }),
    ...(o.mode === undefined ? {} : { mode: parseUint(o.mode, 8, 'mode') }),
    ...(o.uid === undefined ? {} : { uid: parseUint(o.uid, 10, 'uid') }),
    ...(o.gid === undefined ? {} : { gid: parseUint(o.gid, 10, 'gid') }),
    ...(o.env === undefined ? {} : { env: o.env }),
    ...(o.size === undefined || m.type !== 'tmpfs' ? {} : { sizeBytes: parseRamSize(o.size) }),
    required: o.required === 'true',
  };
}

export function parseNetwork(value: string | undefined): RunInstruction['network'] {
  if (value === undefined) return undefined;
  if (value === 'default' || value === 'none' || value === 'host') return value;
  throw new LineError(`unsupported network mode ${JSON.stringify(value)} (use default, none or host)`);
}

export function parseSecurity(value: string | undefined): RunInstruction['security'] {
  if (value === undefined) return undefined;
  if (value === 'sandbox' || value === 'insecure') return value;
  throw new LineError(`unsupported security mode ${JSON.stringify(value)} (use sandbox or insecure)`);
}
