/**
 * A small flag parser with Go pflag's syntax, so kaniko command lines work
 * unchanged: `--name value`, `--name=value`, `-f value`, `-f=value`, boolean
 * `--flag` / `--flag=true|false`, repeatable list flags, `--` ends flags.
 */
export type FlagKind = 'bool' | 'string' | 'list' | 'int' | 'duration';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  help?: string;
  /** Shown in help as the value's placeholder. */
  metavar?: string;
  /** Accepted for kaniko compatibility because Kiln already does what it asks; a warning says why, value unused. */
  ignored?: string;
  /** A kaniko flag Kiln does not implement: giving it is an error that says why. */
  refused?: string;
  /** Other accepted names (e.g. kaniko's spelling). */
  aliases?: string[];
}

export type FlagValue = boolean | string | string[] | number;

export interface ParsedFlags {
  values: Map<string, FlagValue>;
  positional: string[];
  /** Warnings about flags accepted but ignored. */
  warnings: string[];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses a Go duration (`168h`, `1h30m`, `90s`, also `14d`) into milliseconds. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new UsageError(`invalid duration "${text}": expected e.g. 168h, 1h30m, 90s`);
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (s.length === 0) throw new UsageError('invalid duration "": expected e.g. 168h, 1h30m, 90s');
  return total;
}

function parseBool(name: string, text: string): boolean {
  const t = text.toLowerCase();
  if (['true', '1', 't', 'yes'].includes(t)) return true;
  if (['false', '0', 'f', 'no'].includes(t)) return false;
  throw new UsageError(`flag --${name}: "${text}" is not a boolean (use true or false)`);
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byName.set(`--${spec.name}`, spec);
    for (const a of spec.aliases ?? []) byName.set(`--${a}`, spec);
    if (spec.short) byName.set(`-${spec.short}`, spec);
  }
  const values = new Map<string, FlagValue>();
  const positional: string[] = [];
  const warnings: string[] = [];
  const unknown: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    let inline: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let spec = byName.get(key);
    // pflag also takes `-fDockerfile` for short flags.
    if (!spec && !key.startsWith('--') && key.length > 2 && inline === undefined) {
      spec = byName.get(key.slice(0, 2));
      if (spec && spec.kind !== 'bool') inline = key.slice(2);
      else spec = undefined;
    }
    if (!spec) {
      unknown.push(key);
      continue;
    }
    let raw: string;
    if (spec.kind === 'bool') {
      raw = inline ?? 'true';
    } else if (inline !== undefined) {
      raw = inline;
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`flag ${key} needs a value`);
      raw = next;
      i++;
    }
    if (spec.refused) {
      throw new UsageError(`flag --${spec.name} is not supported: ${spec.refused}`);
    }
    if (spec.ignored) {
      warnings.push(`flag --${spec.name} is accepted for kaniko compatibility and ignored: ${spec.ignored}`);
      continue;
    }
    switch (spec.kind) {
      case 'bool':
        values.set(spec.name, parseBool(spec.name, raw));
        break;
      case 'string':
        values.set(spec.name, raw);
        break;
      case 'list': {
        const prev = (values.get(spec.name) as string[] | undefined) ?? [];
        values.set(spec.name, [...prev, raw]);
        break;
      }
      case 'int': {
        if (!/^-?\d+$/.test(raw)) throw new UsageError(`flag --${spec.name}: "${raw}" is not an integer`);
        values.set(spec.name, Number(raw));
        break;
      }
      case 'duration':
        values.set(spec.name, parseDuration(raw));
        break;
      default: {
        const never: never = spec.kind;
        throw new Error(`unhandled flag kind ${String(never)}`);
      }
    }
  }
  if (unknown.length > 0) {
    const list = unknown.map((u) => `"${u}"`).join(', ');
    throw new UsageError(`unknown flag${unknown.length > 1 ? 's' : ''} ${list} (see kiln build --help)`);
  }
  return { values, positional, warnings };
}

/** One line per flag, aligned; ignored and refused kaniko flags listed last. */
export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const label = (s: FlagSpec) => {
    const short = s.short ? `-${s.short}, ` : '    ';
    const meta = s.kind === 'bool' ? '' : ` ${s.metavar ?? s.kind}`;
    return `  ${short}--${s.name}${meta}`;
  };
  const width = Math.max(...specs.map((s) => label(s).length)) + 2;
  const line = (s: FlagSpec) => label(s).padEnd(width) + (s.ignored ?? s.refused ?? s.help);
  const used = specs.filter((s) => !s.ignored && !s.refused).map(line);
  const ignored = specs.filter((s) => s.ignored).map(line);
  const refused = specs.filter((s) => s.refused).map(line);
  return [
    ...used,
    ...(ignored.length ? ['', 'Accepted for kaniko compatibility, no effect:', ...ignored] : []),
    ...(refused.length ? ['', 'kaniko flags Kiln refuses:', ...refused] : []),
  ].join('\n');
}
