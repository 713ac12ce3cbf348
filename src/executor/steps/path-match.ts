/**
 * Go's path.Match for one path segment, as BuildKit matches COPY/ADD source
 * wildcards: `*` any run of characters, `?` one character, `[...]` a class
 * (`[^...]` negated, ranges), `\` escapes the next character. A segment has
 * no `/`, so `*` never crosses directories.
 */
export class PatternSyntaxError extends Error {
  override name = 'PatternSyntaxError';
}

export function hasMeta(pattern: string): boolean {
  return /[*?[\\]/.test(pattern);
}

/** Matches `name` against `pattern`; throws PatternSyntaxError for a malformed class or escape. */
export function matchSegment(pattern: string, name: string): boolean {
  validate(pattern);
  return match(pattern, name);
}

/**
 * Wildcard matching with one backtrack point: on a mismatch, the last `*`
 * takes one more character and matching resumes after it. Linear-ish
 * (O(pattern × name)), where trying every split at every star would be
 * exponential in the number of stars.
 */
function match(p: string, s: string): boolean {
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (pi < p.length || si < s.length) {
    if (pi < p.length && p[pi] === '*') {
      while (p[pi] === '*') pi++;
      starP = pi;
      starS = si;
      continue;
    }
    const next = pi < p.length && si < s.length ? step(p, pi, s, si) : undefined;
    if (next) {
      [pi, si] = next;
      continue;
    }
    if (starP < 0 || starS >= s.length) return false;
    starS += charLen(s, starS);
    pi = starP;
    si = starS;
  }
  return true;
}

/** One non-star pattern token against the character at `si`: the positions after both, or undefined. */
function step(p: string, pi: number, s: string, si: number): [number, number] | undefined {
  const c = p[pi]!;
  if (c === '?') return [pi + 1, si + charLen(s, si)];
  if (c === '[') {
    const end = classEnd(p, pi);
    if (!classMatches(p.slice(pi + 1, end), s.codePointAt(si)!)) return undefined;
    return [end + 1, si + charLen(s, si)];
  }
  const lit = c === '\\' ? p[pi + 1]! : c;
  if (s[si] !== lit) return undefined;
  return [pi + (c === '\\' ? 2 : 1), si + 1];
}

function charLen(s: string, i: number): number {
  return s.codePointAt(i)! > 0xffff ? 2 : 1;
}

function classEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') throw new PatternSyntaxError(`bad pattern "${p}": empty character class`);
  for (; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === ']') return i;
  }
  throw new PatternSyntaxError(`bad pattern "${p}": unterminated character class`);
}

function classMatches(body: string, ch: number): boolean {
  let i = 0;
  let neg = false;
  if (body[0] === '^') {
    neg = true;
    i = 1;
  }
  let hit = false;
  while (i < body.length) {
    let lo = body.codePointAt(i)!;
    if (lo === 0x5c) lo = body.codePointAt(++i)!;
    i += lo > 0xffff ? 2 : 1;
    let hi = lo;
    if (body[i] === '-' && i + 1 < body.length) {
      i++;
      hi = body.codePointAt(i)!;
      if (hi === 0x5c) hi = body.codePointAt(++i)!;
      i += hi > 0xffff ? 2 : 1;
      if (hi < lo)
        throw new PatternSyntaxError(
          `bad pattern: range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)} is reversed`,
        );
    }
    if (ch >= lo && ch <= hi) hit = true;
  }
  return hit !== neg;
}

function validate(p: string): void {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') {
      if (i + 1 >= p.length) throw new PatternSyntaxError(`bad pattern "${p}": trailing backslash`);
      i++;
    } else if (p[i] === '[') {
      i = classEnd(p, i);
    }
  }
}
