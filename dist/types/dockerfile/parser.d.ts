import { chompHeredocContent } from './line-parsers.js';
import type { EscapeToken } from './shell-lex.js';
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
    directives: Directive[];
    nodes: Node[];
    warnings: ParseWarning[];
}
/** Builds the node of one logical line (no location yet). */
export declare function nodeFromLine(line: string, escapeToken: EscapeToken): Node;
/** Parses Dockerfile text into nodes. Throws DockerfileError naming file and line. */
export declare function parseNodes(text: string, file: string): ParseResult;
