/**
 * Instruction flags (`COPY --from=build --link`), checked the way BuildKit's
 * BFlags does: only declared flags, a value for string flags, true/false for
 * boolean ones, repeats only for list flags.
 */
import { LineError } from './line-parsers.js';

export type FlagKind = 'bool' | 'string' | 'strings';
export type FlagSpecs = Readonly<Record<string, FlagKind>>;

export interface ParsedFlags {
  bool(name: string): boolean | undefined;
  string(name: string): string | undefined;
  strings(name: string): string[];
}

class Flags implements ParsedFlags {
  constructor(private readonly values: ReadonlyMap<string, string | string[] | boolean>) {}
  bool(name: string): boolean | undefined {
    return this.values.get(name) as boolean | undefined;
  }
  string(name: string): string | undefined {
    return this.values.get(name) as string | undefined;
  }
  strings(name: string): string[] {
    return (this.values.get(name) as string[] | undefined) ?? [];
  }
}

const NO_FLAGS: ParsedFlags = new Flags(new Map());

export function parseInstructionFlags(
  flags: readonly string[],
  specs: FlagSpecs,
  instruction: string,
): ParsedFlags {
  if (flags.length === 0) return NO_FLAGS;
  const values = new Map<string, string | string[] | boolean>();
  for (const raw of flags) {
    const body = raw.slice(2);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const value = eq >= 0 ? body.slice(eq + 1) : undefined;
    const kind = specs[name];
    if (!kind) {
      const allowed = Object.keys(specs).map((f) => `--${f}`);
      throw new LineError(
        `unknown flag --${name} for ${instruction}` +
          (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ` (${instruction} takes no flags)`),
      );
    }
    if (values.has(name) && kind !== 'strings') throw new LineError(`duplicate flag specified: --${name}`);
    switch (kind) {
      case 'bool': {
        if (value === '')
          throw new LineError(`missing a value on flag --${name} (use --${name} or --${name}=true)`);
        const lower = value?.toLowerCase() ?? 'true';
        if (lower !== 'true' && lower !== 'false') {
          throw new LineError(`expecting boolean value for flag --${name}, not: ${value}`);
        }
        values.set(name, lower === 'true');
        break;
      }
      case 'string':
        if (value === undefined)
          throw new LineError(`missing a value on flag --${name} (write --${name}=value)`);
        values.set(name, value);
        break;
      case 'strings':
        if (value === undefined)
          throw new LineError(`missing a value on flag --${name} (write --${name}=value)`);
        values.set(name, [...((values.get(name) as string[] | undefined) ?? []), value]);
        break;
      default: {
        const never: never = kind;
        throw new Error(`unhandled flag kind ${String(never)}`);
      }
    }
  }
  return new Flags(values);
}
