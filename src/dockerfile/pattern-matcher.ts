/**
 * Docker's path patterns (moby/patternmatcher), as used for .dockerignore:
 * `*` and `?` stay within a path component, `**` spans components, `[a-z]`
 * classes, `\` escapes, `!pattern` re-includes, the last matching pattern
 * wins, and a pattern matching a directory matches everything below it.
 * Matching runs on a linear-time NFA (glob.ts), not backtracking RegExps.
 *
 * Walkers use DirState: a directory carries the last pattern that matched
 * it or a parent, and only the later patterns that could still match below
 * it, each glob with its NFA already advanced past `dir/`. An entry is then
 * matched by its own name against those few patterns, instead of its whole
 * path and every parent against every pattern.
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

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
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

/** A pattern that can still match below a directory; a glob's DFA state after reading `dir/`. */
interface LivePattern {
  index: number;
  p: Pattern;
  state?: number;
}

/** A directory as a walker sees it (PatternMatcher.rootState / entry). */
export interface DirState {
  /** `/`-separated, relative to the context; '' for the root. */
  readonly dir: string;
  /** The last pattern matching the directory or a parent; -1 when none. */
  readonly last: number;
  /** Later patterns that could match something below, highest index first. */
  readonly live: readonly LivePattern[];
}

export interface EntryDecision {
  /** The entry is excluded (the last pattern matching it or a parent is not a `!` exception). */
  excluded: boolean;
  /** An excluded directory no later exception can re-include anything below: skip it whole. */
  prune: boolean;
  /** For a directory: the state to decide its entries with. */
  state?: DirState;
}

const SLASH_CPS = [SLASH];

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

  /** The state of the context root, for entry(). */
  rootState(): DirState {
    const live: LivePattern[] = [];
    for (let i = this.patterns.length - 1; i >= 0; i--) {
      const p = this.patterns[i]!;
      live.push(p.glob ? { index: i, p, state: p.glob.dfa().start } : { index: i, p });
    }
    return { dir: '', last: -1, live };
  }

  /** The state of a directory below the root (its parents' decisions do not matter here). */
  stateOf(dir: string): DirState {
    let state = this.rootState();
    for (const name of dir === '' ? [] : dir.split('/')) {
      state = this.entry(state, name, true).state!;
    }
    return state;
  }

  /**
   * What a walker does with `name` inside the directory of `parent`: the same
   * answers as matches() and canPruneDir() on the joined path.
   */
  entry(parent: DirState, name: string, isDir: boolean): EntryDecision {
    const path = join(parent.dir, name);
    const cps = toCodePoints(name).cps;
    let last = parent.last;
    const after: number[] = [];
    // Highest index first: the first match is the last pattern that matches.
    for (let k = 0; k < parent.live.length; k++) {
      const lp = parent.live[k]!;
      let hit: boolean;
      if (lp.state !== undefined) {
        const dfa = lp.p.glob!.dfa();
        const s = dfa.advance(lp.state, cps);
        after[k] = s;
        hit = dfa.accepts(s);
      } else {
        hit = matchOne(lp.p, path);
      }
      if (hit) {
        // Lower patterns can no longer decide anything here or below.
        last = lp.index;
        break;
      }
    }
    const excluded = last >= 0 && !this.patterns[last]!.exclusion;
    if (!isDir) return { excluded, prune: false };
    const live: LivePattern[] = [];
    for (let k = 0; k < parent.live.length; k++) {
      const lp = parent.live[k]!;
      if (lp.index <= last) break;
      if (lp.state !== undefined) {
        const below = lp.p.glob!.dfa().advance(after[k]!, SLASH_CPS);
        if (below !== -1) live.push({ index: lp.index, p: lp.p, state: below });
      } else if (couldMatchBelow(lp.p, path)) {
        live.push(lp);
      }
    }
    const prune = excluded && !live.some((lp) => lp.p.exclusion);
    return { excluded, prune, state: { dir: path, last, live } };
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
