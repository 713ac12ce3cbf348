import { Glob } from './glob.js';
export declare class PatternError extends Error {
    readonly pattern: string;
    /** Index of the pattern in the list given to PatternMatcher. */
    readonly index: number;
    name: string;
    constructor(pattern: string, 
    /** Index of the pattern in the list given to PatternMatcher. */
    index: number, message: string);
}
type MatchType = 'exact' | 'prefix' | 'suffix' | 'glob';
interface Pattern {
    text: string;
    exclusion: boolean;
    /** The pattern without `!`, cleaned. */
    cleaned: string;
    type: MatchType;
    glob?: Glob;
}
/** Go's path.Clean. */
export declare function cleanPath(p: string): string;
/** A pattern that can still match below a directory; a glob's DFA state after reading `dir/`. */
interface LivePattern {
    index: number;
    p: Pattern;
    state?: number;
}
/** A directory as a walker sees it (PatternMatcher.rootState / entry). */
export interface DirState {
    /** `/`-separated, relative to the context; '' for the root. */
    readonly dir: string;
    /** The last pattern matching the directory or a parent; -1 when none. */
    readonly last: number;
    /** Later patterns that could match something below, highest index first. */
    readonly live: readonly LivePattern[];
}
export interface EntryDecision {
    /** The entry is excluded (the last pattern matching it or a parent is not a `!` exception). */
    excluded: boolean;
    /** An excluded directory no later exception can re-include anything below: skip it whole. */
    prune: boolean;
    /** For a directory: the state to decide its entries with. */
    state?: DirState;
}
export declare class PatternMatcher {
    private readonly patterns;
    readonly hasExclusions: boolean;
    /** Throws PatternError (with the pattern's index) for an invalid pattern. */
    constructor(patterns: readonly string[]);
    private matchesOrParents;
    private static parentsOf;
    /** Index of the last pattern matching path (or a parent of it), -1 when none. */
    private lastMatch;
    /**
     * True when path (relative to the context, `/`-separated, cleaned) is
     * excluded: the last pattern matching it or one of its parent directories
     * is not a `!` exception. (patternmatcher's MatchesOrParentMatches.)
     */
    matches(path: string): boolean;
    /** The state of the context root, for entry(). */
    rootState(): DirState;
    /** The state of a directory below the root (its parents' decisions do not matter here). */
    stateOf(dir: string): DirState;
    /**
     * What a walker does with `name` inside the directory of `parent`: the same
     * answers as matches() and canPruneDir() on the joined path.
     */
    entry(parent: DirState, name: string, isDir: boolean): EntryDecision;
    /**
     * True when dir is excluded and no later `!` exception could match anything
     * inside it: a context walker may skip the whole directory.
     */
    canPruneDir(dir: string): boolean;
}
export {};
