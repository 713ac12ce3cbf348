/**
 * Shell-word expansion with BuildKit's semantics (frontend/dockerfile/shell):
 * quotes, the escape token, `$VAR`, `${VAR}`, `${VAR:-w}` `${VAR-w}`
 * `${VAR:+w}` `${VAR+w}` `${VAR:?m}` `${VAR?m}`, `${VAR#p}` `${VAR##p}`
 * `${VAR%p}` `${VAR%%p}`, `${VAR/p/r}` `${VAR//p/r}`. A word can be expanded
 * to one string (processWord) or split into words after expansion
 * (processWords): unquoted expansion results split on white space, quoted
 * text never does.
 *
 * Expansion is bounded (BuildKit has no bound; a few lines of doubling ARGs
 * reach gigabytes): an expanded word may be 1 MiB at most, checked as it
 * grows, and a lexer given an ExpansionBudget refuses to produce more than
 * the budget's limit over all its words.
 */
import { ShellWordError } from './errors.js';
import { toCodePoints } from './glob.js';
import { patternOrError, replaceAll, trim } from './shell-pattern.js';

export type EscapeToken = '\\' | '`';

/** Variables to expand from; a Map<string, string> is one. */
export interface EnvLookup {
  get(name: string): string | undefined;
}

export interface LexOptions {
  /** Keep quote characters in the result (heredoc detection). */
  rawQuotes?: boolean;
  /** Keep escape tokens in the result (heredoc detection). */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (COPY heredoc bodies). */
  skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written. */
  skipUnsetEnv?: boolean;
  /** Charge every expanded word to this budget. */
  budget?: ExpansionBudget;
  /**
   * `<<` keeps the blanks after it in its word (`<< EOF` is one word), as
   * BuildKit's lexer does since dockerfile 1.16 (heredoc detection).
   */
  heredocWhitespace?: boolean;
}

export interface ExpansionResult {
  /** The word with quotes removed and variables expanded. */
  result: string;
  /** The same, split into words. */
  words: string[];
  /** Variables referenced and set. */
  matched: Set<string>;
  /** Variables referenced but unset. */
  unmatched: Set<string>;
}

/** The longest word an expansion may produce, in UTF-16 units (about 1 MiB of text). */
export const MAX_EXPANDED_WORD = 1 << 20;

/** What the expansions of one scope may produce in all (shared by its lexers and carried to clones). */
export class ExpansionBudget {
  constructor(
    readonly limit: number,
    public used = 0,
  ) {}

  charge(n: number): void {
    this.used += n;
    if (this.used > this.limit) {
      throw new ShellWordError(
        `the expansions of this stage total more than ${mib(this.limit)}: Kiln stops runaway ARG/ENV expansion there`,
      );
    }
  }

  copy(): ExpansionBudget {
    return new ExpansionBudget(this.limit, this.used);
  }
}

function mib(n: number): string {
  return `${n / (1 << 20)} MiB`;
}

/** Throws when an expansion grew past MAX_EXPANDED_WORD. */
export function checkWordSize(s: string): string {
  if (s.length > MAX_EXPANDED_WORD) {
    throw new ShellWordError(
      `the expansion is longer than ${mib(MAX_EXPANDED_WORD)}: Kiln stops runaway ARG/ENV expansion there (put values that large in a file)`,
    );
  }
  return s;
}

const EOF = -1;
const c = (s: string) => s.codePointAt(0)!;
const DOLLAR = c('$');
const SQUOTE = c("'");
const DQUOTE = c('"');
const LBRACE = c('{');
const RBRACE = c('}');
const COLON = c(':');
const SLASH = c('/');
const LESS = c('<');
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0'].map(c));

/** Go's unicode.IsSpace. */
export function isSpaceCode(ch: number): boolean {
  if (ch < 0x80) return ch === 0x20 || (ch >= 0x09 && ch <= 0x0d);
  return ch === 0x85 || ch === 0xa0 || (ch !== 0xfeff && /\s/u.test(String.fromCodePoint(ch)));
}

function isDigit(ch: number): boolean {
  if (ch < 0x80) return ch >= 0x30 && ch <= 0x39;
  return /\p{Nd}/u.test(String.fromCodePoint(ch));
}

function isLetter(ch: number): boolean {
  if (ch < 0x80) return (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a);
  return /\p{L}/u.test(String.fromCodePoint(ch));
}

const str = (ch: number) => (ch === EOF ? '' : String.fromCodePoint(ch));

/** Accumulates the split words of one expansion (BuildKit's wordsStruct). */
class Words {
  word = '';
  words: string[] = [];
  inWord = false;

  addChar(ch: number): void {
    if (isSpaceCode(ch)) {
      if (this.inWord && this.word.length > 0) {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: number): void {
    this.word += String.fromCodePoint(ch);
    this.inWord = true;
  }

  addString(s: string): void {
    // No white space (as isSpaceCode has it; \s also covers U+FEFF, which then takes the slow path): one piece.
    if (!/[\s\u0085]/u.test(s)) {
      if (s.length > 0) this.addRawString(s);
      return;
    }
    for (const ch of s) this.addChar(ch.codePointAt(0)!);
  }

  addRawString(s: string): void {
    this.word += s;
    this.inWord = true;
  }

  get(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = '';
      this.inWord = false;
    }
    return this.words;
  }
}

export class ShellLex {
  private src = '';
  private pos = 0;
  private env: EnvLookup = new Map();
  private rawEscapes = false;
  private matched = new Set<string>();
  private unmatched = new Set<string>();
  private readonly esc: number;

  constructor(
    readonly escapeToken: EscapeToken = '\\',
    private readonly options: LexOptions = {},
  ) {
    this.esc = c(escapeToken);
  }

  /** The word expanded, quotes removed, as one string (spaces kept). */
  processWord(word: string, env: EnvLookup): string {
    return this.process(word, env).result;
  }

  /** The word expanded and split into words the way BuildKit splits them. */
  processWords(word: string, env: EnvLookup): string[] {
    return this.process(word, env).words;
  }

  process(word: string, env: EnvLookup): ExpansionResult {
    this.src = word;
    this.pos = 0;
    this.env = env;
    this.rawEscapes = this.options.rawEscapes ?? false;
    this.matched = new Set();
    this.unmatched = new Set();
    try {
      const [result, words] = this.processStopOn(EOF, this.rawEscapes);
      this.options.budget?.charge(result.length);
      return { result, words, matched: this.matched, unmatched: this.unmatched };
    } catch (err) {
      if (err instanceof ShellWordError) {
        throw new ShellWordError(`failed to process ${JSON.stringify(word)}: ${err.message}`);
      }
      throw err;
    }
  }

  private peek(): number {
    if (this.pos >= this.src.length) return EOF;
    return this.src.codePointAt(this.pos)!;
  }

  private next(): number {
    if (this.pos >= this.src.length) return EOF;
    const ch = this.src.codePointAt(this.pos)!;
    this.pos += ch > 0xffff ? 2 : 1;
    return ch;
  }

  private getEnv(name: string): string | undefined {
    const v = this.env.get(name);
    if (v === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return v;
  }

  private processStopOn(stop: number, rawEscapes: boolean): [string, string[]] {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = '';
      const words = new Words();
      const quotes = !this.options.skipProcessQuotes;
      for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
        if (stop !== EOF && ch === stop) {
          this.next();
          return [result, words.get()];
        }
        if (ch === DOLLAR) {
          const tmp = this.processDollar();
          result = checkWordSize(result + tmp);
          words.addString(tmp);
        } else if (ch === LESS && this.options.heredocWhitespace) {
          const tmp = this.processPossibleHeredoc();
          result += tmp;
          words.addRawString(tmp);
        } else if (quotes && (ch === SQUOTE || ch === DQUOTE)) {
          const tmp = ch === SQUOTE ? this.processSingleQuote() : this.processDoubleQuote();
          result += tmp;
          words.addRawString(tmp);
        } else {
          let n = this.next();
          if (n === this.esc) {
            if (this.rawEscapes) {
              words.addRawChar(n);
              result += str(n);
            }
            // The escape token escapes the next character; at the very end it vanishes.
            n = this.next();
            if (n === EOF) break;
            words.addRawChar(n);
          } else {
            words.addChar(n);
          }
          result += str(n);
        }
      }
      if (stop !== EOF) {
        throw new ShellWordError(`unexpected end of statement while looking for matching ${str(stop)}`);
      }
      return [result, words.get()];
    } finally {
      this.rawEscapes = saved;
    }
  }

  /** `<`, or `<<` with the blanks (space, tab, CR) that follow it. */
  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== LESS) return '<';
    this.next();
    let out = '<<';
    for (let p = this.peek(); p === 0x20 || p === 0x09 || p === 0x0d; p = this.peek())
      out += str(this.next());
    return out;
  }

  private processSingleQuote(): string {
    // Everything up to the next ' is literal; a ' cannot be escaped inside.
    let result = '';
    const open = this.next();
    if (this.options.rawQuotes) result += str(open);
    for (;;) {
      const ch = this.next();
      if (ch === EOF)
        throw new ShellWordError('unexpected end of statement while looking for matching single-quote');
      if (ch === SQUOTE) {
        if (this.options.rawQuotes) result += str(ch);
        return result;
      }
      result += str(ch);
    }
  }

  private processDoubleQuote(): string {
    // Literal up to the next ", except $ expansions; the escape token escapes only " $ and itself.
    let result = '';
    const open = this.next();
    if (this.options.rawQuotes) result += str(open);
    for (;;) {
      const p = this.peek();
      if (p === EOF)
        throw new ShellWordError('unexpected end of statement while looking for matching double-quote');
      if (p === DQUOTE) {
        this.next();
        if (this.options.rawQuotes) result += str(p);
        return result;
      }
      if (p === DOLLAR) {
        result = checkWordSize(result + this.processDollar());
        continue;
      }
      let ch = this.next();
      if (ch === this.esc) {
        if (this.rawEscapes) result += str(ch);
        const after = this.peek();
        if (after === EOF) continue;
        if (after === DQUOTE || after === DOLLAR || after === this.esc) ch = this.next();
      }
      result += str(ch);
    }
  }

  private processName(): string {
    let name = '';
    for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
      if (name === '' && isDigit(ch)) {
        while (this.peek() !== EOF && isDigit(this.peek())) name += str(this.next());
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return str(this.next());
      if (!isLetter(ch) && !isDigit(ch) && ch !== c('_')) break;
      name += str(this.next());
    }
    return name;
  }

  private processDollar(): string {
    this.next(); // $
    if (this.peek() !== LBRACE) {
      const name = this.processName();
      if (name === '') return '$';
      const v = this.getEnv(name);
      if (v === undefined && this.options.skipUnsetEnv) return `$${name}`;
      return v ?? '';
    }
    this.next(); // {
    const first = this.peek();
    if (first === EOF) throw new ShellWordError("syntax error: missing '}'");
    if (first === LBRACE || first === RBRACE || first === COLON) {
      throw new ShellWordError('syntax error: bad substitution');
    }
    const name = this.processName();
    let ch = this.next();
    let chs = str(ch);
    if (ch === RBRACE) {
      const v = this.getEnv(name);
      if (v === undefined && this.options.skipUnsetEnv) return `\${${name}}`;
      return v ?? '';
    }
    if (ch === SLASH) return this.processReplace(name);
    let nullIsUnset = false;
    if (ch === COLON) {
      nullIsUnset = true;
      ch = this.next();
      chs += str(ch);
    } else if (!'+-?#%'.includes(chs) || ch === EOF) {
      if (ch === EOF) throw new ShellWordError("syntax error: missing '}'");
      throw new ShellWordError(`unsupported modifier (${chs}) in substitution`);
    }
    const raw = ch === c('#') || ch === c('%');
    let word: string;
    try {
      [word] = this.processStopOn(RBRACE, raw);
    } catch (err) {
      if (err instanceof ShellWordError && this.peek() === EOF)
        throw new ShellWordError("syntax error: missing '}'");
      throw err;
    }
    const value = this.getEnv(name);
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}${chs}${word}}`;
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (str(ch)) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new ShellWordError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (unset) throw new ShellWordError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '#':
      case '%': {
        const greedy = word.length > 0 && word[0] === str(ch);
        const pattern = greedy ? word.slice(1) : word;
        return trim(ch === c('%') ? 'suffix' : 'prefix', pattern, value ?? '', greedy);
      }
      default:
        throw new ShellWordError(`unsupported modifier (${chs}) in substitution`);
    }
  }

  private processReplace(name: string): string {
    const all = this.peek() === SLASH;
    if (all) this.next();
    let pattern: string;
    let replacement: string;
    try {
      [pattern] = this.processStopOn(SLASH, true);
    } catch (err) {
      if (err instanceof ShellWordError && this.peek() === EOF) {
        throw new ShellWordError("syntax error: missing '/' in $" + '{}');
      }
      throw err;
    }
    try {
      [replacement] = this.processStopOn(RBRACE, true);
    } catch (err) {
      if (err instanceof ShellWordError && this.peek() === EOF)
        throw new ShellWordError("syntax error: missing '}'");
      throw err;
    }
    const value = this.getEnv(name);
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    const glob = patternOrError(pattern);
    const v = value ?? '';
    if (all) return replaceAll(v, glob, replacement, checkWordSize);
    const { cps, offsets } = toCodePoints(v);
    const m = glob.search(cps, 0);
    if (!m) return v;
    return checkWordSize(v.slice(0, offsets[m[0]]) + replacement + v.slice(offsets[m[1]]));
  }
}
