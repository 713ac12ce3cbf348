/**
 * BuildKit's util/suggest.Search: the option closest to a value by
 * Levenshtein distance, if that distance is under 3; none when the value
 * itself is an option. Ties go to the option met first.
 */

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

function matchCase(value: string, orig: string): string {
  if (orig === orig.toLowerCase()) return value.toLowerCase();
  if (orig === orig.toUpperCase()) return value.toUpperCase();
  return value;
}

export function suggestName(value: string, options: Iterable<string>, caseSensitive: boolean): string {
  const v = caseSensitive ? value : value.toLowerCase();
  let match = '';
  let min = 3;
  for (const option of options) {
    const o = caseSensitive ? option : option.toLowerCase();
    if (o === v) return '';
    const d = levenshtein(v, o);
    if (d < min) {
      match = caseSensitive ? o : matchCase(o, value);
      min = d;
    }
  }
  return match;
}
