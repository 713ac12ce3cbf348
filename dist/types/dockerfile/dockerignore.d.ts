import { type DirState, type EntryDecision } from './pattern-matcher.js';
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
    /** What to do with an entry: include it, exclude it, or (a directory no exception reaches into) skip it whole. */
    decide(relPath: string, isDir: boolean): 'include' | 'exclude' | 'prune';
    /** For walkers: the state of a directory (relative to the context; '' is the root), to decide its entries by name. */
    stateOf(relDir: string): DirState;
    /** What a walker does with `name` in the directory of `parent` (the same answers as decide()). */
    entry(parent: DirState, name: string, isDir: boolean): EntryDecision;
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
