/**
 * Per-instruction argument splitting, as BuildKit's parser does it before any
 * meaning is attached: flags (`--name=value`) off the front, then JSON (exec)
 * form, name=value pairs, white-space lists or the rest of the line as one
 * string. Quotes stay in the words here; expansion removes them later.
 */
import { type EscapeToken } from './shell-lex.js';
/** A problem on one logical line; the parser adds file and line. */
export declare class LineError extends Error {
    name: string;
}
export interface LineArgs {
    args: string[];
    /** The arguments were a JSON array (exec form). */
    json: boolean;
}
/** Go's strings.TrimSpace. */
export declare function trimSpace(s: string): string;
/** Go's strings.TrimLeftFunc(s, unicode.IsSpace). */
export declare function trimLeftSpace(s: string): string;
export interface SplitCommand {
    /** The instruction name as written. */
    cmd: string;
    flags: string[];
    /** Everything after the flags, trimmed. */
    rest: string;
}
/** Splits `RUN --mount=x echo hi` into the name, its flags and the rest. */
export declare function splitCommand(line: string): SplitCommand;
/**
 * Takes the leading `--flag[=value]` words off a line. Quotes group and are
 * removed; a backslash escapes the next character (always `\`, whatever the
 * escape directive says). A bare `--` ends the flags.
 */
export declare function extractBuilderFlags(line: string): {
    rest: string;
    flags: string[];
};
/**
 * Splits on white space outside quotes, keeping quotes and escapes in the
 * words (they are removed at expansion). BuildKit's parseWords.
 */
export declare function parseWords(rest: string, escapeToken: EscapeToken): string[];
/** ENV/LABEL: `KEY value...` (legacy, one pair) or `K1=v1 K2="v 2"`; returns [k1, v1, k2, v2, ...]. */
export declare function parseNameVal(rest: string, instruction: string, escapeToken: EscapeToken): string[];
/** A JSON array of strings, or undefined when rest is not JSON (then it is shell form). */
export declare function parseJSON(rest: string): string[] | undefined;
/** RUN/CMD/ENTRYPOINT/SHELL: a JSON array, or the whole rest as one shell command. */
export declare function parseMaybeJSON(rest: string): LineArgs;
/** COPY/ADD/VOLUME: a JSON array, or words split on white space (quotes do not group). */
export declare function parseMaybeJSONToList(rest: string): LineArgs;
export declare function splitWhitespace(rest: string): string[];
/** HEALTHCHECK: the type (CMD/NONE) then a command in either form. */
export declare function parseHealthConfig(rest: string): LineArgs;
export interface HeredocMarker {
    name: string;
    chomp: boolean;
    expand: boolean;
    fd?: number;
}
/**
 * Recognises one word as a heredoc marker: `[fd]<<[-]WORD`. A delimiter with
 * any quoted part (`<<"EOF"`, `<<'EOF'`, `<<E"O"F`) disables expansion.
 */
export declare function parseHeredocWord(src: string): HeredocMarker | undefined;
/**
 * The heredoc markers on a RUN/COPY/ADD line, in order. With `whitespace`
 * (dockerfile 1.16+) `<< EOF` is one word, so a marker; `<<- EOF` stays two
 * words (`<<-`, `EOF`) and is none, exactly as BuildKit's lexer splits it.
 */
export declare function heredocsFromLine(line: string, whitespace?: boolean): HeredocMarker[];
/** `<<-`: strips leading tabs from every line of a heredoc body. */
export declare function chompHeredocContent(content: string): string;
