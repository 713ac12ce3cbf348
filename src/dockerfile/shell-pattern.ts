/**
 * The patterns of `${VAR#pat}`, `${VAR%pat}` and `${VAR/pat/rep}`, as
 * BuildKit's shell lexer reads them: `*` any run of characters, `?` one
 * character (neither matches a newline, as in Go regexps), `\*` `\?` `\\`
 * literal, `\}` and `\/` the brace and slash. No bracket expressions.
 */
import { ShellWordError } from './errors.js';
import { Glob, type GlobToken, toCodePoints } from './glob.js';

const NEWLINE = 0x0a;
const c = (s: string) => s.codePointAt(0)!;
const RBRACE = c('}');
const SLASH = c('/');
const BACKSLASH = c('\\');
const str = (ch: number) => String.fromCodePoint(ch);

/** Compiles a `#`/`%`/`/` pattern: `*` any run, `?` one character, `\*` `\?` `\\` literal. */
export function compileShellPattern(pattern: string): Glob {
  const tokens: GlobToken[] = [];
  const { cps } = toCodePoints(pattern);
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (ch === c('*')) tokens.push({ k: 'star', not: [NEWLINE] });
    else if (ch === c('?')) tokens.push({ k: 'one', not: [NEWLINE] });
    else if (ch === BACKSLASH) {
      const n = cps[i + 1];
      // `\}` and `\/` protect the character inside ${}; the backslash is not part of the pattern.
      if (n === RBRACE || n === SLASH) continue;
      if (n === c('*') || n === c('?') || n === BACKSLASH) {
        tokens.push({ k: 'lit', c: n });
        i++;
      } else {
        throw new ShellWordError(
          n === undefined ? 'invalid escape at the end of the pattern' : `invalid escape '\\${str(n)}'`,
        );
      }
    } else tokens.push({ k: 'lit', c: ch });
  }
  return new Glob(tokens);
}

/** Go's Regexp.Expand for a template without capture groups: `$$` → `$`, `$0`/`${0}` → the match. */
function expandTemplate(template: string, match: string, check: (partial: string) => void): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch !== '$') {
      out += ch;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name = '';
    let end = i + 1;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      name = close < 0 ? '' : template.slice(i + 2, close);
      end = close + 1;
      if (!/^\w+$/.test(name)) name = '';
    } else {
      const m = /^\w+/.exec(template.slice(i + 1));
      name = m ? m[0] : '';
      end = i + 1 + name.length;
    }
    if (name === '') {
      out += '$';
      continue;
    }
    if (name === '0') {
      out += match;
      check(out);
    }
    i = end - 1;
  }
  return out;
}

/** Go's Regexp.ReplaceAllString with a leftmost-longest glob; `check` sees the result as it grows (and may throw). */
export function replaceAll(
  value: string,
  glob: Glob,
  replacement: string,
  check: (partial: string) => void = () => {},
): string {
  const { cps, offsets } = toCodePoints(value);
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= cps.length) {
    const m = glob.search(cps, searchPos);
    if (!m) break;
    const [a, b] = m;
    out += value.slice(offsets[lastEnd], offsets[a]);
    if (b > lastEnd || a === 0)
      out += expandTemplate(replacement, value.slice(offsets[a], offsets[b]), check);
    check(out);
    lastEnd = b;
    searchPos = Math.max(searchPos + 1, b);
  }
  return out + value.slice(offsets[lastEnd]);
}

export function patternOrError(pattern: string): Glob {
  try {
    return compileShellPattern(pattern);
  } catch (err) {
    throw new ShellWordError(`invalid pattern (${pattern}) in substitution: ${(err as Error).message}`);
  }
}

/** `#`/`##` remove the shortest/longest matching prefix; `%`/`%%` the suffix. */
export function trim(side: 'prefix' | 'suffix', pattern: string, value: string, greedy: boolean): string {
  const glob = patternOrError(pattern);
  const { cps, offsets } = toCodePoints(value);
  if (side === 'prefix') {
    const ends = glob.anchoredEnds(cps, 0);
    if (!ends) return value;
    return value.slice(offsets[greedy ? ends.longest : ends.shortest]);
  }
  const ends = glob.reversed().anchoredEnds([...cps].reverse(), 0);
  if (!ends) return value;
  const len = greedy ? ends.longest : ends.shortest;
  return value.slice(0, offsets[cps.length - len]);
}
