/**
 * A tiny glob engine shared by shell-word patterns (`${VAR#pat}`, `${VAR/pat/rep}`)
 * and .dockerignore patterns. BuildKit and moby/patternmatcher turn these
 * patterns into Go regular expressions (RE2: linear time). JavaScript's
 * regular expressions backtrack, so a hostile pattern such as
 * `**\/**\/**\/x` could take exponential time. Instead the pattern becomes a
 * token list simulated as an NFA over code points: O(input × pattern).
 */
export type GlobToken = 
/** One code point, literally. */
{
    k: 'lit';
    c: number;
}
/** One code point that is not in `not`. */
 | {
    k: 'one';
    not: readonly number[];
}
/** A bracket expression `[a-z]`, `[^abc]`. */
 | {
    k: 'class';
    neg: boolean;
    ranges: readonly (readonly [number, number])[];
}
/** Zero or more code points none of which is in `not`. */
 | {
    k: 'star';
    not: readonly number[];
}
/** Go's `(.*` + `/)?`: nothing, or any run of code points (no newline) that ends with '/'. */
 | {
    k: 'dirs';
};
/** Where an NFA run stands (Glob.start/advance): the live states, each tagged with its start. */
export interface GlobState {
    readonly set: Int32Array;
    readonly list: readonly number[];
}
export interface CodePoints {
    cps: number[];
    /** offsets[i] is the UTF-16 index of code point i; offsets[cps.length] = string length. */
    offsets: number[];
}
export declare function toCodePoints(s: string): CodePoints;
/**
 * A compiled glob. `tail` adds moby/patternmatcher's implicit `(/.*)?$`: a
 * pattern that matches a directory also matches everything below it.
 */
export declare class Glob {
    readonly tokens: readonly GlobToken[];
    readonly tail: boolean;
    private readonly m;
    /** States: 0..m "next token is k" (m: all matched), m+1+k "inside dirs group k", 2m+1 tail. */
    private readonly size;
    private readonly tailState;
    constructor(tokens: readonly GlobToken[], tail?: boolean);
    /** Adds state k and everything reachable from it without input, tagging each with start. */
    private close;
    private step;
    private accepting;
    private fresh;
    /** The state before any input. */
    start(): GlobState;
    /** The state after reading cps from `state`; undefined once nothing can match any more. */
    advance(state: GlobState, cps: readonly number[]): GlobState | undefined;
    /** True when the input read to reach `state` is a whole match. */
    accepts(state: GlobState): boolean;
    /** The states after reading all of cps from the start; undefined once none is left. */
    private run;
    /** True when the whole of cps matches. */
    matchesCodePoints(cps: readonly number[]): boolean;
    matches(s: string): boolean;
    /** True when some continuation of prefix (possibly empty) could make a full match. */
    couldMatchAfter(prefix: string): boolean;
    /**
     * Ends e (from ≤ e ≤ cps.length) such that cps[from..e) matches, anchored at
     * from: the shortest and the longest, or undefined when none matches.
     */
    anchoredEnds(cps: readonly number[], from: number): {
        shortest: number;
        longest: number;
    } | undefined;
    /** The leftmost match at or after from, the longest one at that start: [start, end). */
    search(cps: readonly number[], from: number): [number, number] | undefined;
    /** This glob as a DFA built lazily (for walkers that match many names). */
    dfa(): GlobDfa;
    private cachedDfa;
    /** The same pattern read backwards (for suffix trimming). */
    reversed(): Glob;
}
/**
 * A glob's NFA turned into a DFA one transition at a time, as names are
 * read: each (state, code point) is simulated once and then looked up, so
 * matching many names costs a map lookup per code point. State -1 is dead.
 */
export declare class GlobDfa {
    private readonly glob;
    private readonly states;
    private readonly ids;
    readonly start: number;
    constructor(glob: Glob);
    private intern;
    /** The state after reading cps from `state` (-1: nothing can match any more). */
    advance(state: number, cps: readonly number[]): number;
    accepts(state: number): boolean;
}
