/**
 * Per-instruction argument splitting, as BuildKit's parser does it before any
 * meaning is attached: flags (`--name=value`) off the front, then JSON (exec)
 * form, name=value pairs, white-space lists or the rest of the line as one
 * string. Quotes stay in the words here; expansion removes them later.
 */
import { type EscapeToken, isSpaceCode, ShellLex } from './shell-lex.js';

/** A problem on one logical line; the parser adds file and line. */
export class LineError extends Error {
  override name = 'LineError';
}

export interface LineArgs {
  args: string[];
  /** The arguments were a JSON array (exec form). */
  json: boolean;
}

/** BuildKit's reWhitespace: [\t\v\f\r ]+ */
const WS_SPLIT = /[\t\v\f\r ]+/;

function isBlankChar(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d;
}

/** Go's strings.TrimSpace. */
export function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpaceCode(s.charCodeAt(a))) a++;
  while (b > a && isSpaceCode(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Go's strings.TrimLeftFunc(s, unicode.IsSpace). */
export function trimLeftSpace(s: string): string {
  let a = 0;
  while (a < s.length && isSpaceCode(s.charCodeAt(a))) a++;
  return a === 0 ? s : s.slice(a);
}

export interface SplitCommand {
  /** The instruction name as written. */
  cmd: string;
  flags: string[];
  /** Everything after the flags, trimmed. */
  rest: string;
}

/** Splits `RUN --mount=x echo hi` into the name, its flags and the rest. */
export function splitCommand(line: string): SplitCommand {
  const t = trimSpace(line);
  let i = 0;
  while (i < t.length && !isBlankChar(t.charCodeAt(i))) i++;
  const cmd = t.slice(0, i);
  while (i < t.length && isBlankChar(t.charCodeAt(i))) i++;
  if (i >= t.length) return { cmd, flags: [], rest: '' };
  const { rest, flags } = extractBuilderFlags(t.slice(i));
  return { cmd, flags, rest: trimSpace(rest) };
}

/**
 * Takes the leading `--flag[=value]` words off a line. Quotes group and are
 * removed; a backslash escapes the next character (always `\`, whatever the
 * escape directive says). A bare `--` ends the flags.
 */
export function extractBuilderFlags(line: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const atEnd = pos === line.length;
    const ch = atEnd ? '' : line[pos]!;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isSpaceCode(ch.charCodeAt(0))) continue;
      if (ch !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
      phase = 'word';
    }
    if (atEnd) {
      if (word !== '--' && (blankOK || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpaceCode(ch.charCodeAt(0))) {
        phase = 'spaces';
        if (word === '--') return { rest: line.slice(pos), flags };
        if (blankOK || word.length > 0) flags.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue;
        pos++;
        word += line[pos];
        continue;
      }
      word += ch;
      continue;
    }
    // In quotes.
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      pos++;
      word += line[pos];
      continue;
    }
    word += ch;
  }
  return { rest: '', flags };
}

/**
 * Splits on white space outside quotes, keeping quotes and escapes in the
 * words (they are removed at expansion). BuildKit's parseWords.
 */
export function parseWords(rest: string, escapeToken: EscapeToken): string[] {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  // Code units are enough: every character that matters here is ASCII and
  // surrogate halves are never white space, quotes or escape tokens.
  for (let pos = 0; pos <= rest.length; pos++) {
    const atEnd = pos === rest.length;
    let ch = atEnd ? '' : rest[pos]!;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isSpaceCode(ch.charCodeAt(0))) continue;
      phase = 'word';
    }
    if (atEnd) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpaceCode(ch.charCodeAt(0))) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escapeToken) {
        if (pos + 1 === rest.length) continue; // an escape token at the end of the line is dropped
        word += ch;
        pos++;
        ch = rest[pos]!;
      }
      word += ch;
      continue;
    }
    // In quotes.
    if (ch === quote) phase = 'word';
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === rest.length) {
        phase = 'word';
        continue;
      }
      word += ch;
      pos++;
      ch = rest[pos]!;
    }
    word += ch;
  }
  return words;
}

/** ENV/LABEL: `KEY value...` (legacy, one pair) or `K1=v1 K2="v 2"`; returns [k1, v1, k2, v2, ...]. */
export function parseNameVal(rest: string, instruction: string, escapeToken: EscapeToken): string[] {
  const words = parseWords(rest, escapeToken);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=')) {
    const m = WS_SPLIT.exec(rest);
    if (!m) throw new LineError(`${instruction} must have two arguments (${instruction} KEY=value)`);
    return [rest.slice(0, m.index), rest.slice(m.index + m[0].length)];
  }
  const out: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new LineError(
        `syntax error: can't find = in ${JSON.stringify(word)}; write ${instruction} name=value pairs`,
      );
    }
    out.push(word.slice(0, eq), word.slice(eq + 1));
  }
  return out;
}

/** A JSON array of strings, or undefined when rest is not JSON (then it is shell form). */
export function parseJSON(rest: string): string[] | undefined {
  const t = trimLeftSpace(rest);
  if (!t.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  if (!parsed.every((x) => typeof x === 'string')) {
    throw new LineError('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return parsed as string[];
}

/** RUN/CMD/ENTRYPOINT/SHELL: a JSON array, or the whole rest as one shell command. */
export function parseMaybeJSON(rest: string): LineArgs {
  if (rest === '') return { args: [], json: false };
  const json = parseJSON(rest);
  if (json) return { args: json, json: true };
  return { args: [rest], json: false };
}

/** COPY/ADD/VOLUME: a JSON array, or words split on white space (quotes do not group). */
export function parseMaybeJSONToList(rest: string): LineArgs {
  const json = parseJSON(rest);
  if (json) return { args: json, json: true };
  return { args: splitWhitespace(rest), json: false };
}

export function splitWhitespace(rest: string): string[] {
  return rest === '' ? [] : rest.split(WS_SPLIT);
}

/** HEALTHCHECK: the type (CMD/NONE) then a command in either form. */
export function parseHealthConfig(rest: string): LineArgs {
  let sep = 0;
  while (sep < rest.length && !isSpaceCode(rest.charCodeAt(sep))) sep++;
  if (sep === 0) return { args: [], json: false };
  let next = sep;
  while (next < rest.length && isSpaceCode(rest.charCodeAt(next))) next++;
  const cmd = parseMaybeJSON(rest.slice(next));
  return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
}

export interface HeredocMarker {
  name: string;
  chomp: boolean;
  expand: boolean;
  fd?: number;
}

const HEREDOC_WORD_LEX = new ShellLex('\\', { skipUnsetEnv: true });
const HEREDOC_WORD_LEX_RAW = new ShellLex('\\', { skipUnsetEnv: true, rawQuotes: true });
const HEREDOC_LINE_LEX = new ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
const HEREDOC_LINE_LEX_WS = new ShellLex('\\', {
  rawQuotes: true,
  rawEscapes: true,
  skipUnsetEnv: true,
  heredocWhitespace: true,
});
const NO_ENV = new Map<string, string>();

/**
 * Recognises one word as a heredoc marker: `[fd]<<[-]WORD`. A delimiter with
 * any quoted part (`<<"EOF"`, `<<'EOF'`, `<<E"O"F`) disables expansion.
 */
export function parseHeredocWord(src: string): HeredocMarker | undefined {
  let i = 0;
  while (i < src.length && src.charCodeAt(i) >= 0x30 && src.charCodeAt(i) <= 0x39) i++;
  const fdText = src.slice(0, i);
  if (!src.startsWith('<<', i)) return undefined;
  i += 2;
  let chomp = false;
  if (src[i] === '-') {
    chomp = true;
    i++;
  }
  while (i < src.length && ' \t\n\f\r'.includes(src[i]!)) i++;
  const rest = src.slice(i);
  if (rest.length === 0 || rest.includes('<')) return undefined;
  let words: string[];
  let raw: string[];
  try {
    words = HEREDOC_WORD_LEX.processWords(rest, NO_ENV);
    if (words.length !== 1) return undefined;
    raw = HEREDOC_WORD_LEX_RAW.processWords(rest, NO_ENV);
  } catch (err) {
    throw new LineError((err as Error).message);
  }
  if (raw.length !== words.length) {
    throw new LineError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  const quotes = (w: string) => w.split("'").length + w.split('"').length - 2;
  const marker: HeredocMarker = { name: words[0]!, chomp, expand: quotes(words[0]!) === quotes(raw[0]!) };
  if (fdText !== '') marker.fd = Number(fdText);
  return marker;
}

/**
 * The heredoc markers on a RUN/COPY/ADD line, in order. With `whitespace`
 * (dockerfile 1.16+) `<< EOF` is one word, so a marker; `<<- EOF` stays two
 * words (`<<-`, `EOF`) and is none, exactly as BuildKit's lexer splits it.
 */
export function heredocsFromLine(line: string, whitespace = true): HeredocMarker[] {
  let words: string[];
  try {
    words = (whitespace ? HEREDOC_LINE_LEX_WS : HEREDOC_LINE_LEX).processWords(line, NO_ENV);
  } catch {
    return [];
  }
  const out: HeredocMarker[] = [];
  for (const w of words) {
    const m = parseHeredocWord(w);
    if (m) out.push(m);
  }
  return out;
}

/** `<<-`: strips leading tabs from every line of a heredoc body. */
export function chompHeredocContent(content: string): string {
  return content
    .split('\n')
    .map((line) => line.replace(/^\t+/, ''))
    .join('\n');
}
