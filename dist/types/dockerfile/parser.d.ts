import { chompHeredocContent } from './line-parsers.js';
import type { EscapeToken } from './shell-lex.js';
import { type DockerfileSyntax, type SyntaxOptions } from './syntax.js';
export { chompHeredocContent };
/** BuildKit reads lines with a 64 KiB buffer: a longer line is an error. */
export declare const MAX_LINE_BYTES = 65535;
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
/** Builds the node of one logical line (no location yet). */
export declare function nodeFromLine(line: string, escapeToken: EscapeToken): Node;
/** Parses Dockerfile text into nodes. Throws DockerfileError naming file and line. */
export declare function parseNodes(text: string, file: string, opts?: SyntaxOptions): ParseResult;
