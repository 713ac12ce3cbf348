/**
 * `WWW-Authenticate` challenges (RFC 7235): `Bearer realm="…",service="…",
 * scope="repository:a/b:pull,push"` or `Basic realm="…"`. Quoted values may
 * hold commas; several challenges may share one header.
 */

export interface Challenge {
  /** Lower-case scheme: 'bearer', 'basic', … */
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (!header) return [];
  const headers = Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const h of headers) out.push(...parseOne(h));
  return out;
}

function parseOne(text: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    if (!m) return undefined;
    i = TOKEN.lastIndex;
    return m[0];
  };
  const quoted = (): string => {
    let v = '';
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      v += text[i];
      i++;
    }
    i++; // closing quote
    return v;
  };
  let current: Challenge | undefined;
  while (i < text.length) {
    skipSpace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    const word = token();
    if (!word) {
      i++;
      continue;
    }
    skipSpace();
    if (text[i] === '=') {
      // auth-param of the current challenge
      i++;
      skipSpace();
      const value = text[i] === '"' ? quoted() : (token() ?? '');
      if (current) current.params[word.toLowerCase()] = value;
      continue;
    }
    // a new challenge starts with its scheme
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
  }
  return out;
}

/** The first Bearer challenge, else the first Basic one. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}
