/**
 * Docker's path patterns (moby/patternmatcher), as used for .dockerignore:
 * `*` and `?` stay within a path component, `**` spans components, `[a-z]`
 * classes, `\` escapes, `!pattern` re-includes, the last matching pattern
 * wins, and a pattern matching a directory matches everything below it.
 * Matching runs on a linear-time NFA (glob.ts), not backtracking RegExps.
 */
import { posix } from 'node:path';
import { Glob, type GlobToken, toCodePoints } from './glob.js';

export class PatternError extends Error {
  override name = 'PatternError';
  constructor(
    readonly pattern: string,
    /** Index of the pattern in the list given to PatternMatcher. */
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'glob';

interface Pattern {
  text: string;
  exclusion: boolean;
  /** The pattern without `!`, cleaned. */
  cleaned: string;
  type: MatchType;
  glob?: Glob;
}

/** Go's path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

const NEWLINE = 0x0a;
const SLASH = 0x2f;

/** Parses `[...]` starting at cps[i] === '['; returns the token and the index after ']'. */
function parseClass(cps: number[], i: number): [GlobToken, number] {
  let j = i + 1;
  let neg = false;
  if (cps[j] === 0x5e) {
    neg = true;
    j++;
  }
  const ranges: [number, number][] = [];
  const item = (): number => {
    if (cps[j] === 0x5c) j++;
    const ch = cps[j];
    if (ch === undefined) throw new Error('unterminated [');
    j++;
    return ch;
  };
  for (let first = true; ; first = false) {
    if (cps[j] === undefined) throw new Error('unterminated [');
    if (cps[j] === 0x5d && !first) break;
    const lo = item();
    let hi = lo;
    if (cps[j] === 0x2d && cps[j + 1] !== 0x5d && cps[j + 1] !== undefined) {
      j++;
      hi = item();
      if (hi < lo) throw new Error('invalid character range');
    }
    ranges.push([lo, hi]);
  }
  return [{ k: 'class', neg, ranges }, j + 1];
}

function compile(cleaned: string): { type: MatchType; glob?: Glob } {
  const { cps } = toCodePoints(cleaned);
  const tokens: GlobToken[] = [];
  let type: MatchType = 'exact';
  for (let i = 0, iter = 0; i < cps.length; iter++) {
    const ch = cps[i++]!;
    if (ch === 0x2a) {
      if (cps[i] === 0x2a) {
        i++;
        if (cps[i] === SLASH) i++;
        if (i >= cps.length) {
          if (type === 'exact') type = 'prefix';
          else {
            tokens.push({ k: 'star', not: [NEWLINE] });
            type = 'glob';
          }
        } else {
          tokens.push({ k: 'dirs' });
          type = 'glob';
        }
        if (iter === 0) type = 'suffix';
      } else {
        tokens.push({ k: 'star', not: [SLASH] });
        type = 'glob';
      }
    } else if (ch === 0x3f) {
      tokens.push({ k: 'one', not: [SLASH] });
      type = 'glob';
    } else if (ch === 0x5c) {
      if (i < cps.length) {
        tokens.push({ k: 'lit', c: cps[i++]! });
        type = 'glob';
      } else tokens.push({ k: 'lit', c: ch });
    } else if (ch === 0x5b) {
      const [tok, next] = parseClass(cps, i - 1);
      tokens.push(tok);
      i = next;
      type = 'glob';
    } else if (ch === 0x5d) {
      tokens.push({ k: 'lit', c: ch });
      type = 'glob';
    } else {
      // Go escapes . + ( ) | { } $ for its regexp: all literal.
      tokens.push({ k: 'lit', c: ch });
    }
  }
  return type === 'glob' ? { type, glob: new Glob(tokens, true) } : { type };
}

/** filepath.Match's syntax check: a trailing `\` or a broken class is an error. */
function checkSyntax(cleaned: string): void {
  const { cps } = toCodePoints(cleaned);
  for (let i = 0; i < cps.length; i++) {
    if (cps[i] === 0x5c) {
      if (i === cps.length - 1) throw new Error('trailing backslash');
      i++;
    } else if (cps[i] === 0x5b) {
      i = parseClass(cps, i)[1] - 1;
    }
  }
}

function matchOne(p: Pattern, path: string): boolean {
  switch (p.type) {
    case 'exact':
      return path === p.cleaned;
    case 'prefix':
      return path.startsWith(p.cleaned.slice(0, -2));
    case 'suffix': {
      const suffix = p.cleaned.slice(2);
      if (path.endsWith(suffix)) return true;
      return suffix[0] === '/' && path === suffix.slice(1);
    }
    case 'glob':
      return p.glob!.matches(path);
    default: {
      const never: never = p.type;
      throw new Error(`unhandled match type ${String(never)}`);
    }
  }
}

/** Whether p could match some path strictly below dir. */
function couldMatchBelow(p: Pattern, dir: string): boolean {
  const prefix = `${dir}/`;
  switch (p.type) {
    case 'exact':
      return p.cleaned.startsWith(prefix);
    case 'prefix': {
      const s = p.cleaned.slice(0, -2);
      return prefix.startsWith(s) || s.startsWith(prefix);
    }
    case 'suffix':
      return true;
    case 'glob':
      return p.glob!.couldMatchAfter(prefix);
    default: {
      const never: never = p.type;
      throw new Error(`unhandled match type ${String(never)}`);
    }
  }
}

export class PatternMatcher {
  private readonly patterns: Pattern[] = [];
  readonly hasExclusions: boolean;

  /** Throws PatternError (with the pattern's index) for an invalid pattern. */
  constructor(patterns: readonly string[]) {
    patterns.forEach((raw, index) => {
      let p = raw.trim();
      if (p === '') return;
      p = cleanPath(p);
      let exclusion = false;
      if (p[0] === '!') {
        if (p.length === 1) throw new PatternError(raw, index, 'illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      try {
        checkSyntax(p);
        this.patterns.push({ text: raw, exclusion, cleaned: p, ...compile(p) });
      } catch (err) {
        throw new PatternError(
          raw,
          index,
          `syntax error in pattern ${JSON.stringify(raw)}: ${(err as Error).message}`,
        );
      }
    });
    this.hasExclusions = this.patterns.some((p) => p.exclusion);
  }

  private matchesOrParents(p: Pattern, path: string, parents: string[]): boolean {
    if (matchOne(p, path)) return true;
    for (const parent of parents) if (matchOne(p, parent)) return true;
    return false;
  }

  private static parentsOf(path: string): string[] {
    const parts = path.split('/');
    const out: string[] = [];
    for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
    return out;
  }

  /** Index of the last pattern matching path (or a parent of it), -1 when none. */
  private lastMatch(path: string): number {
    const parents = PatternMatcher.parentsOf(path);
    for (let i = this.patterns.length - 1; i >= 0; i--) {
      if (this.matchesOrParents(this.patterns[i]!, path, parents)) return i;
    }
    return -1;
  }

  /**
   * True when path (relative to the context, `/`-separated, cleaned) is
   * excluded: the last pattern matching it or one of its parent directories
   * is not a `!` exception. (patternmatcher's MatchesOrParentMatches.)
   */
  matches(path: string): boolean {
    const i = this.lastMatch(path);
    return i >= 0 && !this.patterns[i]!.exclusion;
  }

  /**
   * True when dir is excluded and no later `!` exception could match anything
   * inside it: a context walker may skip the whole directory.
   */
  canPruneDir(dir: string): boolean {
    const last = this.lastMatch(dir);
    if (last < 0 || this.patterns[last]!.exclusion) return false;
    for (let j = last + 1; j < this.patterns.length; j++) {
      const p = this.patterns[j]!;
      if (p.exclusion && couldMatchBelow(p, dir)) return false;
    }
    return true;
  }
}
