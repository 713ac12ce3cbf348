import { Glob } from './glob.js';
/** Compiles a `#`/`%`/`/` pattern: `*` any run, `?` one character, `\*` `\?` `\\` literal. */
export declare function compileShellPattern(pattern: string): Glob;
/** Go's Regexp.ReplaceAllString with a leftmost-longest glob; `check` sees the result as it grows (and may throw). */
export declare function replaceAll(value: string, glob: Glob, replacement: string, check?: (partial: string) => void): string;
export declare function patternOrError(pattern: string): Glob;
/** `#`/`##` remove the shortest/longest matching prefix; `%`/`%%` the suffix. */
export declare function trim(side: 'prefix' | 'suffix', pattern: string, value: string, greedy: boolean): string;
