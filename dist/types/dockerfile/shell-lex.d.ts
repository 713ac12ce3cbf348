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
export declare const MAX_EXPANDED_WORD: number;
/** What the expansions of one scope may produce in all (shared by its lexers and carried to clones). */
export declare class ExpansionBudget {
    readonly limit: number;
    used: number;
    constructor(limit: number, used?: number);
    charge(n: number): void;
    copy(): ExpansionBudget;
}
/** Throws when an expansion grew past MAX_EXPANDED_WORD. */
export declare function checkWordSize(s: string): string;
/** Go's unicode.IsSpace. */
export declare function isSpaceCode(ch: number): boolean;
export declare class ShellLex {
    readonly escapeToken: EscapeToken;
    private readonly options;
    private src;
    private pos;
    private env;
    private rawEscapes;
    private matched;
    private unmatched;
    private readonly esc;
    constructor(escapeToken?: EscapeToken, options?: LexOptions);
    /** The word expanded, quotes removed, as one string (spaces kept). */
    processWord(word: string, env: EnvLookup): string;
    /** The word expanded and split into words the way BuildKit splits them. */
    processWords(word: string, env: EnvLookup): string[];
    process(word: string, env: EnvLookup): ExpansionResult;
    private peek;
    private next;
    private getEnv;
    private processStopOn;
    /** `<`, or `<<` with the blanks (space, tab, CR) that follow it. */
    private processPossibleHeredoc;
    private processSingleQuote;
    private processDoubleQuote;
    private processName;
    private processDollar;
    private processReplace;
}
