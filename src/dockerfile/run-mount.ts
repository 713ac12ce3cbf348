/** `RUN --mount=...`, `--network=...`, `--security=...`: parsed and checked like BuildKit. */
import type { RunInstruction, RunMount } from './instructions.js';
import { LineError } from './line-parsers.js';

const MOUNT_TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'] as const;
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

/** Splits a CSV record (double quotes group, `""` inside quotes is a quote). */
function csvFields(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) throw new LineError(`--mount=${text}: unterminated quote`);
  fields.push(field);
  return fields;
}

function parseBool(text: string, field: string): boolean {
  const t = text.toLowerCase();
  if (['1', 't', 'true'].includes(t)) return true;
  if (['0', 'f', 'false'].includes(t)) return false;
  throw new LineError(`invalid value for ${field}: expected true or false`);
}

export function parseRunMount(value: string): RunMount {
  let type: RunMount['type'] = 'bind';
  let readonly: boolean | undefined;
  const options: Record<string, string> = {};
  const mount: Omit<RunMount, 'type' | 'readonly'> = { options };
  for (const field of csvFields(value)) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') readonly = true;
      else if (key === 'readwrite' || key === 'rw') readonly = false;
      else if (key === 'required') options.required = 'true';
      else throw new LineError(`invalid field '${field}' in --mount: it must be a key=value pair`);
      continue;
    }
    const v = field.slice(eq + 1);
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
      default:
        break;
    }
  }
  if (!mount.target && (type === 'bind' || type === 'cache' || type === 'tmpfs')) {
    throw new LineError(`--mount type=${type} needs a target (target=/path)`);
  }
  if (type === 'secret' && mount.from !== undefined)
    throw new LineError('secret mount should not have a from');
  readonly ??= !(type === 'cache' || type === 'tmpfs');
  return { type, readonly, ...mount };
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
