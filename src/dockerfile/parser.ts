/**
 * Dockerfile text → nodes, with no meaning attached (BuildKit's
 * frontend/dockerfile/parser): parser directives, comments, line
 * continuations (comment and empty lines inside them are skipped), flags,
 * JSON vs shell form, heredoc bodies, the byte order mark and BuildKit's
 * maximum line length. Instruction names are matched case-insensitively.
 */
import { DockerfileError } from './errors.js';
import {
  chompHeredocContent,
  heredocsFromLine,
  type LineArgs,
  LineError,
  parseHealthConfig,
  parseMaybeJSON,
  parseMaybeJSONToList,
  parseNameVal,
  parseWords,
  splitCommand,
  splitWhitespace,
  trimLeftSpace,
} from './line-parsers.js';
import type { EscapeToken } from './shell-lex.js';
import { type DockerfileSyntax, hasFeature, resolveSyntax, type SyntaxOptions } from './syntax.js';

export { chompHeredocContent };

/** BuildKit reads lines with a 64 KiB buffer: a longer line is an error. */
export const MAX_LINE_BYTES = 65535;

export interface Heredoc {
  /** The delimiter, quotes removed (for `COPY <<file.txt /dst/` also the file name). */
  name: string;
  /** The body: every line with its newline, exactly as written (not chomped). */
  content: string;
  /** `<<-`: leading tabs are stripped from the body lines and the delimiter line. */
  chomp: boolean;
  /** False when any part of the delimiter was quoted: the body is used verbatim. */
  expand: boolean;
  /** `3<<EOF`: the file descriptor written before `<<`. */
  fd?: number;
}

export interface Node {
  /** The instruction name, lower-case (`run`). */
  keyword: string;
  /** The instruction name as written (`Run`). */
  keywordAsWritten: string;
  /** The logical line: continuation lines joined, comments dropped, heredoc bodies not included. */
  original: string;
  /** Flags with quotes and escapes removed: `--mount=type=cache,target=/x`. */
  flags: string[];
  args: string[];
  /** The arguments were a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
  /**
   * The comment lines right before the instruction (after the previous one),
   * `#` and surrounding blanks removed; an empty `#` line starts over
   * (BuildKit's PrevComment: `# check=` comments, stage and ARG descriptions).
   */
  comments: string[];
  /**
   * `<<- EOF` (or `<< EOF` before dockerfile 1.16) on a RUN/COPY/ADD line:
   * BuildKit reads it as no heredoc, so its body lines follow as
   * instructions. Kept to explain the error they cause.
   */
  heredocLookalike?: string;
  /** The instruction's continuation had empty lines; BuildKit reports them at its last line. */
  emptyContinuationLine?: number;
  /** ONBUILD: the trigger instruction. */
  sub?: Node;
}

export interface Directive {
  name: 'syntax' | 'escape' | 'check';
  value: string;
  line: number;
}

export interface ParseWarning {
  file: string;
  /** Undefined for warnings about the build as a whole (an unused build arg). */
  line?: number;
  message: string;
}

export interface ParseResult {
  escapeToken: EscapeToken;
  /** The syntax the `# syntax=` directive selects (the newest without one). */
  syntax: DockerfileSyntax;
  directives: Directive[];
  nodes: Node[];
}

type LineParser = (rest: string, escapeToken: EscapeToken) => LineArgs;

const single = (rest: string): LineArgs => ({ args: rest === '' ? [] : [rest], json: false });

const LINE_PARSERS: Record<string, LineParser> = {
  add: parseMaybeJSONToList,
  arg: (rest, esc) => ({ args: parseWords(rest, esc), json: false }),
  cmd: parseMaybeJSON,
  copy: parseMaybeJSONToList,
  entrypoint: parseMaybeJSON,
  env: (rest, esc) => ({ args: parseNameVal(rest, 'ENV', esc), json: false }),
  expose: (rest) => ({ args: splitWhitespace(rest), json: false }),
  from: (rest) => ({ args: splitWhitespace(rest), json: false }),
  healthcheck: parseHealthConfig,
  label: (rest, esc) => ({ args: parseNameVal(rest, 'LABEL', esc), json: false }),
  maintainer: single,
  run: parseMaybeJSON,
  shell: parseMaybeJSON,
  stopsignal: single,
  user: single,
  volume: parseMaybeJSONToList,
  workdir: single,
};

const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);

/** Builds the node of one logical line (no location yet). */
export function nodeFromLine(line: string, escapeToken: EscapeToken): Node {
  const { cmd, flags, rest } = splitCommand(line);
  const keyword = cmd.toLowerCase();
  const node: Node = {
    keyword,
    keywordAsWritten: cmd,
    original: line,
    flags,
    args: [],
    json: false,
    heredocs: [],
    startLine: 0,
    endLine: 0,
    comments: [],
  };
  if (keyword === 'onbuild') {
    if (rest !== '') {
      node.sub = nodeFromLine(rest, escapeToken);
      node.args = [node.sub.keywordAsWritten];
    }
    return node;
  }
  const parse = LINE_PARSERS[keyword];
  if (parse) {
    const { args, json } = parse(rest, escapeToken);
    node.args = args;
    node.json = json;
  }
  return node;
}

function canContainHeredoc(node: Node): boolean {
  const n = node.keyword === 'onbuild' && node.sub ? node.sub : node;
  return HEREDOC_KEYWORDS.has(n.keyword) && !n.json;
}

/** Physical lines of the text; `take()` returns a line without its '\n' and whether it had one. */
class Lines {
  private pos = 0;
  line = 0;
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  take(): { text: string; newline: boolean } | undefined {
    if (this.pos >= this.text.length) return undefined;
    const nl = this.text.indexOf('\n', this.pos);
    const end = nl < 0 ? this.text.length : nl;
    let text = this.text.slice(this.pos, end);
    this.pos = end + 1;
    this.line++;
    if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length * 3 > MAX_LINE_BYTES && Buffer.byteLength(text, 'utf8') > MAX_LINE_BYTES) {
      throw new DockerfileError(
        this.file,
        this.line,
        `line is longer than the maximum of ${MAX_LINE_BYTES} bytes; split it with line continuations`,
      );
    }
    return { text, newline: nl >= 0 };
  }
}

/** Go's bytes.TrimRight(line, "\r\n"). */
function trimNewline(s: string): string {
  let b = s.length;
  while (b > 0 && (s.charCodeAt(b - 1) === 0x0d || s.charCodeAt(b - 1) === 0x0a)) b--;
  return b === s.length ? s : s.slice(0, b);
}

function isGoSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\f' || ch === '\r';
}

/** `# name = value` at the top of the file; undefined when the line is not one. */
function matchDirective(line: string): { name: string; value: string } | undefined {
  if (line[0] !== '#') return undefined;
  let i = 1;
  while (i < line.length && isGoSpace(line[i]!)) i++;
  const start = i;
  if (!/[a-zA-Z]/.test(line[i] ?? '')) return undefined;
  while (i < line.length && /[a-zA-Z0-9]/.test(line[i]!)) i++;
  const name = line.slice(start, i);
  while (i < line.length && isGoSpace(line[i]!)) i++;
  if (line[i] !== '=') return undefined;
  i++;
  while (i < line.length && isGoSpace(line[i]!)) i++;
  let end = line.length;
  while (end > i && isGoSpace(line[end - 1]!)) end--;
  if (end <= i) return undefined;
  return { name, value: line.slice(i, end) };
}

/**
 * A line ending in the escape token (plus blanks) continues on the next
 * line, unless the escape token is itself escaped. Returns the line without
 * it and whether the instruction ends here.
 */
function trimContinuation(line: string, esc: EscapeToken): [string, boolean] {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  if (end === 0 || line[end - 1] !== esc) return [line, true];
  if (end >= 2 && line[end - 2] === esc) return [line, true];
  return [line.slice(0, end - 1), false];
}

function isCommentLine(line: string): boolean {
  return trimLeftSpace(trimNewline(line)).startsWith('#');
}

/** `<<- WORD` (or, without 1.16's white space rule, `<< WORD`): looks like a heredoc, is none. */
function heredocLookalike(line: string, whitespace: boolean): string | undefined {
  for (const m of line.matchAll(/(?:^|\s)(\d*<<(-?)[ \t]+[^\s<]+)/g)) {
    if (m[2] === '-' || !whitespace) return m[1];
  }
  return undefined;
}

/** Parses Dockerfile text into nodes. Throws DockerfileError naming file and line. */
export function parseNodes(text: string, file: string, opts: SyntaxOptions = {}): ParseResult {
  const lines = new Lines(text, file);
  let escapeToken: EscapeToken = '\\';
  let directivesDone = false;
  // A `#!` first line: syntax and check directives may follow it (BuildKit's DetectSyntax), escape not.
  let afterShebang = false;
  const directives: Directive[] = [];
  const nodes: Node[] = [];
  let syntax: DockerfileSyntax | undefined;
  let comments: string[] = [];
  const syntaxNow = (): DockerfileSyntax => {
    syntax ??= resolveSyntax(
      file,
      directives.find((d) => d.name === 'syntax'),
      opts,
    );
    return syntax;
  };

  for (let phys = lines.take(); phys !== undefined; phys = lines.take()) {
    let line = trimLeftSpace(trimNewline(phys.text));
    let isDirective = false;
    if (!directivesDone) {
      const d = matchDirective(line);
      const name = d?.name.toLowerCase();
      if (lines.line === 1 && line.startsWith('#!')) {
        afterShebang = true;
      } else if (d && (name === 'syntax' || name === 'check' || (name === 'escape' && !afterShebang))) {
        if (directives.some((x) => x.name === name)) {
          throw new DockerfileError(file, lines.line, `only one ${name} parser directive can be used`);
        }
        if (name === 'escape') {
          if (d.value !== '\\' && d.value !== '`') {
            throw new DockerfileError(
              file,
              lines.line,
              `invalid escape token '${d.value}' does not match \` or \\`,
            );
          }
          escapeToken = d.value;
        }
        directives.push({ name, value: d.value, line: lines.line });
        isDirective = true;
      } else {
        directivesDone = true;
        syntaxNow();
      }
    }
    if (line.startsWith('#')) {
      const comment = line.slice(1).trim();
      if (comment === '') comments = [];
      else if (!isDirective) comments.push(comment);
      line = '';
    }
    const startLine = lines.line;
    let [logical, ended] = trimContinuation(line, escapeToken);
    if (ended && logical === '') continue;

    let emptyContinuation = false;
    while (!ended) {
      const next = lines.take();
      if (next === undefined) break;
      if (isCommentLine(next.text)) continue;
      const part = trimNewline(next.text);
      if (trimLeftSpace(part) === '') {
        emptyContinuation = true;
        continue;
      }
      const [piece, end] = trimContinuation(part, escapeToken);
      logical += piece;
      ended = end;
    }
    const lastLine = lines.line;

    let node: Node;
    try {
      node = nodeFromLine(logical, escapeToken);
    } catch (err) {
      if (err instanceof LineError) throw new DockerfileError(file, startLine, err.message, lines.line);
      throw err;
    }

    if (emptyContinuation) node.emptyContinuationLine = lastLine;
    node.comments = comments;
    comments = [];

    const features = syntaxNow();
    if (logical.includes('<<') && canContainHeredoc(node) && hasFeature(features, 'heredocs')) {
      let markers: ReturnType<typeof heredocsFromLine>;
      try {
        markers = heredocsFromLine(logical, hasFeature(features, 'heredocWhitespace'));
      } catch (err) {
        if (err instanceof LineError) throw new DockerfileError(file, startLine, err.message, lines.line);
        throw err;
      }
      const lookalike = heredocLookalike(logical, hasFeature(features, 'heredocWhitespace'));
      if (lookalike) node.heredocLookalike = lookalike;
      for (const marker of markers) {
        let content = '';
        let terminated = false;
        for (let body = lines.take(); body !== undefined; body = lines.take()) {
          let candidate = trimNewline(body.text);
          if (marker.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === marker.name) {
            terminated = true;
            break;
          }
          content += body.newline ? `${body.text}\n` : body.text;
        }
        if (!terminated) {
          throw new DockerfileError(
            file,
            startLine,
            `unterminated heredoc: no line "${marker.name}" ends the heredoc started here`,
            lines.line,
          );
        }
        node.heredocs.push({ ...marker, content });
      }
    }
    node.startLine = startLine;
    node.endLine = lines.line;
    nodes.push(node);
  }

  if (nodes.length === 0) {
    throw new DockerfileError(
      file,
      Math.max(lines.line, 1),
      'file with no instructions: the Dockerfile is empty or only has comments',
    );
  }
  return { escapeToken, syntax: syntaxNow(), directives, nodes };
}
