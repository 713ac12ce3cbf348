export interface IgnorePattern {
    /** Cleaned, `!` kept in front for exceptions. */
    pattern: string;
    line: number;
}
/** Parses .dockerignore text into cleaned patterns with their line numbers. */
export declare function parseDockerignore(text: string): IgnorePattern[];
/** A matcher over context-relative, `/`-separated paths (`src/app.ts`, no leading `./`). */
export declare class IgnoreMatcher {
    readonly patterns: readonly IgnorePattern[];
    readonly file: string;
    private readonly matcher;
    /** `file` is used in error messages; patterns carry their line numbers. */
    constructor(patterns: readonly IgnorePattern[], file?: string);
    /** True when the path is excluded from the context. */
    matches(relPath: string): boolean;
    /** True when a walker can skip the directory without looking inside (no exception can re-include anything). */
    canPruneDir(relDir: string): boolean;
    /** One call for walkers: what to do with an entry. */
    decide(relPath: string, isDir: boolean): 'include' | 'exclude' | 'prune';
    get hasExceptions(): boolean;
}
export interface Dockerignore {
    /** The file the patterns came from; undefined when there is none. */
    source?: string;
    matcher: IgnoreMatcher;
}
/**
 * Loads `<dockerfilePath>.dockerignore` if it exists, else
 * `<contextDir>/.dockerignore`, else an empty matcher.
 */
export declare function loadDockerignore(contextDir: string, dockerfilePath: string): Promise<Dockerignore>;
