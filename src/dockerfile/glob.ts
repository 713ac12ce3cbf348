/**
 * A tiny glob engine shared by shell-word patterns (`${VAR#pat}`, `${VAR/pat/rep}`)
 * and .dockerignore patterns. BuildKit and moby/patternmatcher turn these
 * patterns into Go regular expressions (RE2: linear time). JavaScript's
 * regular expressions backtrack, so a hostile pattern such as
 * `**\/**\/**\/x` could take exponential time. Instead the pattern becomes a
 * token list simulated as an NFA over code points: O(input × pattern).
 */

const NEWLINE = 0x0a;
const SLASH = 0x2f;

export type GlobToken =
  /** One code point, literally. */
  | { k: 'lit'; c: number }
  /** One code point that is not in `not`. */
  | { k: 'one'; not: readonly number[] }
  /** A bracket expression `[a-z]`, `[^abc]`. */
  | { k: 'class'; neg: boolean; ranges: readonly (readonly [number, number])[] }
  /** Zero or more code points none of which is in `not`. */
  | { k: 'star'; not: readonly number[] }
  /** Go's `(.*` + `/)?`: nothing, or any run of code points (no newline) that ends with '/'. */
  | { k: 'dirs' };

/** Where an NFA run stands (Glob.start/advance): the live states, each tagged with its start. */
export interface GlobState {
  readonly set: Int32Array;
  readonly list: readonly number[];
}

export interface CodePoints {
  cps: number[];
  /** offsets[i] is the UTF-16 index of code point i; offsets[cps.length] = string length. */
  offsets: number[];
}

export function toCodePoints(s: string): CodePoints {
  const cps: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s.codePointAt(i)!;
    cps.push(c);
    offsets.push(i);
    i += c > 0xffff ? 2 : 1;
  }
  offsets.push(s.length);
  return { cps, offsets };
}

function classMatches(
  t: { neg: boolean; ranges: readonly (readonly [number, number])[] },
  c: number,
): boolean {
  let hit = false;
  for (const [lo, hi] of t.ranges) {
    if (c >= lo && c <= hi) {
      hit = true;
      break;
    }
  }
  return hit !== t.neg;
}

/**
 * A compiled glob. `tail` adds moby/patternmatcher's implicit `(/.*)?$`: a
 * pattern that matches a directory also matches everything below it.
 */
export class Glob {
  private readonly m: number;
  /** States: 0..m "next token is k" (m: all matched), m+1+k "inside dirs group k", 2m+1 tail. */
  private readonly size: number;
  private readonly tailState: number;

  constructor(
    readonly tokens: readonly GlobToken[],
    readonly tail = false,
  ) {
    this.m = tokens.length;
    this.tailState = 2 * this.m + 1;
    this.size = 2 * this.m + 2;
  }

  /** Adds state k and everything reachable from it without input, tagging each with start. */
  private close(set: Int32Array, k: number, start: number, list: number[]): void {
    for (;;) {
      const prev = set[k]!;
      if (prev !== -1 && prev <= start) return;
      if (prev === -1) list.push(k);
      set[k] = start;
      if (k >= this.m) return;
      const t = this.tokens[k]!;
      if (t.k === 'star') {
        k++;
        continue;
      }
      if (t.k === 'dirs') {
        const inner = this.m + 1 + k;
        const p = set[inner]!;
        if (p === -1 || p > start) {
          if (p === -1) list.push(inner);
          set[inner] = start;
        }
        k++;
        continue;
      }
      return;
    }
  }

  private step(
    cur: Int32Array,
    curList: readonly number[],
    c: number,
    next: Int32Array,
    nextList: number[],
  ): void {
    const m = this.m;
    for (const s of curList) {
      const start = cur[s]!;
      if (s < m) {
        const t = this.tokens[s]!;
        switch (t.k) {
          case 'lit':
            if (c === t.c) this.close(next, s + 1, start, nextList);
            break;
          case 'one':
            if (!t.not.includes(c)) this.close(next, s + 1, start, nextList);
            break;
          case 'class':
            if (classMatches(t, c)) this.close(next, s + 1, start, nextList);
            break;
          case 'star':
            if (!t.not.includes(c)) this.close(next, s, start, nextList);
            break;
          case 'dirs':
            break;
          default: {
            const never: never = t;
            throw new Error(`unhandled glob token ${JSON.stringify(never)}`);
          }
        }
      } else if (s === m) {
        if (this.tail && c === SLASH) this.close(next, this.tailState, start, nextList);
      } else if (s === this.tailState) {
        if (c !== NEWLINE) this.close(next, s, start, nextList);
      } else {
        const k = s - m - 1;
        if (c !== NEWLINE) this.close(next, s, start, nextList);
        if (c === SLASH) this.close(next, k + 1, start, nextList);
      }
    }
  }

  private accepting(set: Int32Array): number {
    const a = set[this.m]!;
    const b = this.tail ? set[this.tailState]! : -1;
    if (a === -1) return b;
    if (b === -1) return a;
    return Math.min(a, b);
  }

  private fresh(): Int32Array {
    return new Int32Array(this.size).fill(-1);
  }

  /** The state before any input. */
  start(): GlobState {
    const set = this.fresh();
    const list: number[] = [];
    this.close(set, 0, 0, list);
    return { set, list };
  }

  /** The state after reading cps from `state`; undefined once nothing can match any more. */
  advance(state: GlobState, cps: readonly number[]): GlobState | undefined {
    let cur = state.set;
    let curList: readonly number[] = state.list;
    for (const c of cps) {
      if (curList.length === 0) return undefined;
      const next = this.fresh();
      const nextList: number[] = [];
      this.step(cur, curList, c, next, nextList);
      cur = next;
      curList = nextList;
    }
    return curList.length > 0 ? { set: cur, list: curList } : undefined;
  }

  /** True when the input read to reach `state` is a whole match. */
  accepts(state: GlobState): boolean {
    return this.accepting(state.set) !== -1;
  }

  /** The states after reading all of cps from the start; undefined once none is left. */
  private run(cps: readonly number[]): Int32Array | undefined {
    return this.advance(this.start(), cps)?.set;
  }

  /** True when the whole of cps matches. */
  matchesCodePoints(cps: readonly number[]): boolean {
    const end = this.run(cps);
    return end !== undefined && this.accepting(end) !== -1;
  }

  matches(s: string): boolean {
    return this.matchesCodePoints(toCodePoints(s).cps);
  }

  /** True when some continuation of prefix (possibly empty) could make a full match. */
  couldMatchAfter(prefix: string): boolean {
    return this.run(toCodePoints(prefix).cps) !== undefined;
  }

  /**
   * Ends e (from ≤ e ≤ cps.length) such that cps[from..e) matches, anchored at
   * from: the shortest and the longest, or undefined when none matches.
   */
  anchoredEnds(cps: readonly number[], from: number): { shortest: number; longest: number } | undefined {
    let cur = this.fresh();
    let curList: number[] = [];
    this.close(cur, 0, from, curList);
    let shortest = -1;
    let longest = -1;
    for (let i = from; ; i++) {
      if (this.accepting(cur) !== -1) {
        if (shortest === -1) shortest = i;
        longest = i;
      }
      if (i === cps.length || curList.length === 0) break;
      const next = this.fresh();
      const nextList: number[] = [];
      this.step(cur, curList, cps[i]!, next, nextList);
      cur = next;
      curList = nextList;
    }
    return shortest === -1 ? undefined : { shortest, longest };
  }

  /** The leftmost match at or after from, the longest one at that start: [start, end). */
  search(cps: readonly number[], from: number): [number, number] | undefined {
    let cur = this.fresh();
    let curList: number[] = [];
    let bestStart = -1;
    let bestEnd = -1;
    for (let i = from; ; i++) {
      if (bestStart === -1) this.close(cur, 0, i, curList);
      const acc = this.accepting(cur);
      if (acc !== -1) {
        if (bestStart === -1 || acc < bestStart) {
          bestStart = acc;
          bestEnd = i;
        } else if (acc === bestStart) {
          bestEnd = i;
        }
      }
      if (i === cps.length) break;
      if (bestStart !== -1) {
        // Nothing alive that could still extend a match starting at bestStart.
        let alive = false;
        for (const s of curList) if (cur[s]! <= bestStart) alive = true;
        if (!alive) break;
      }
      const next = this.fresh();
      const nextList: number[] = [];
      this.step(cur, curList, cps[i]!, next, nextList);
      cur = next;
      curList = nextList;
    }
    return bestStart === -1 ? undefined : [bestStart, bestEnd];
  }

  /** This glob as a DFA built lazily (for walkers that match many names). */
  dfa(): GlobDfa {
    this.cachedDfa ??= new GlobDfa(this);
    return this.cachedDfa;
  }

  private cachedDfa: GlobDfa | undefined;

  /** The same pattern read backwards (for suffix trimming). */
  reversed(): Glob {
    if (this.tail || this.tokens.some((t) => t.k === 'dirs'))
      throw new Error('glob with ** cannot be reversed');
    return new Glob([...this.tokens].reverse(), false);
  }
}

/** DFA states built past this many are not cached (a pathological pattern stays linear, just slower). */
const DFA_STATE_LIMIT = 4096;

interface DfaState {
  nfa: GlobState;
  accepting: boolean;
  next: Map<number, number>;
}

/**
 * A glob's NFA turned into a DFA one transition at a time, as names are
 * read: each (state, code point) is simulated once and then looked up, so
 * matching many names costs a map lookup per code point. State -1 is dead.
 */
export class GlobDfa {
  private readonly states: DfaState[] = [];
  private readonly ids = new Map<string, number>();
  readonly start: number;

  constructor(private readonly glob: Glob) {
    this.start = this.intern(glob.start());
  }

  private intern(nfa: GlobState | undefined): number {
    if (!nfa) return -1;
    const key = [...nfa.list].sort((a, b) => a - b).join(',');
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.states.length;
    this.states.push({ nfa, accepting: this.glob.accepts(nfa), next: new Map() });
    if (this.states.length <= DFA_STATE_LIMIT) this.ids.set(key, id);
    return id;
  }

  /** The state after reading cps from `state` (-1: nothing can match any more). */
  advance(state: number, cps: readonly number[]): number {
    let s = state;
    for (let i = 0; i < cps.length && s !== -1; i++) {
      const st = this.states[s]!;
      const c = cps[i]!;
      let n = st.next.get(c);
      if (n === undefined) {
        n = this.intern(this.glob.advance(st.nfa, [c]));
        if (this.states.length <= DFA_STATE_LIMIT) st.next.set(c, n);
      }
      s = n;
    }
    return s;
  }

  accepts(state: number): boolean {
    return state !== -1 && this.states[state]!.accepting;
  }
}
