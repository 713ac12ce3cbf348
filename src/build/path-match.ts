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
  return match(pattern, 0, name, 0);
}

function match(p: string, pi: number, s: string, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi]!;
    if (c === '*') {
      // Collapse runs of stars, then try every split (segments are short).
      while (p[pi] === '*') pi++;
      if (pi === p.length) return true;
      for (let k = si; k <= s.length; k++) if (match(p, pi, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      pi++;
      si += charLen(s, si);
      continue;
    }
    if (c === '[') {
      const end = classEnd(p, pi);
      const ch = s.codePointAt(si)!;
      if (!classMatches(p.slice(pi + 1, end), ch)) return false;
      pi = end + 1;
      si += charLen(s, si);
      continue;
    }
    let lit = c;
    if (c === '\\') lit = p[++pi]!;
    if (s[si] !== lit) return false;
    pi++;
    si++;
  }
  return si === s.length;
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
