export declare class PatternError extends Error {
    readonly pattern: string;
    /** Index of the pattern in the list given to PatternMatcher. */
    readonly index: number;
    name: string;
    constructor(pattern: string, 
    /** Index of the pattern in the list given to PatternMatcher. */
    index: number, message: string);
}
/** Go's path.Clean. */
export declare function cleanPath(p: string): string;
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
    /**
     * True when dir is excluded and no later `!` exception could match anything
     * inside it: a context walker may skip the whole directory.
     */
    canPruneDir(dir: string): boolean;
}
