/**
 * Which checks run and what they found: BuildKit's `# check=` options
 * (`skip=Rule1,Rule2|all`, `error=true|false`, `experimental=Rule|all`,
 * separated by `;`), the BUILDKIT_DOCKERFILE_CHECK build arg that replaces
 * them, and the same options in a comment right above an instruction
 * (dockerfile 1.21), which apply to that instruction only.
 */
import { DockerfileError, type Location } from '../errors.js';
import type { CheckRule } from './rules.js';
export interface CheckConfig {
    skipAll: boolean;
    skip: ReadonlySet<string>;
    experimentalAll: boolean;
    experimental: ReadonlySet<string>;
    /** `error=true`: findings fail the build. */
    error: boolean;
}
export declare const DEFAULT_CHECK_CONFIG: CheckConfig;
export declare class CheckOptionError extends Error {
    name: string;
}
/** BuildKit's ParseLintOptions. Throws CheckOptionError. */
export declare function parseCheckOptions(text: string): CheckConfig;
export interface CheckFinding {
    rule: string;
    description: string;
    url?: string;
    message: string;
    location: Location;
}
/** Collects findings; a view made for one instruction's comments shares them. */
export declare class Linter {
    private readonly config;
    /** Dockerfile syntax 1.N in use: rules newer than it do not run. */
    private readonly syntaxMinor;
    private readonly findings;
    /** Per-instruction `# check=` comments are honoured (dockerfile 1.21). */
    private readonly comments;
    constructor(config: CheckConfig, 
    /** Dockerfile syntax 1.N in use: rules newer than it do not run. */
    syntaxMinor: number | undefined, findings?: CheckFinding[], 
    /** Per-instruction `# check=` comments are honoured (dockerfile 1.21). */
    comments?: boolean);
    run(rule: CheckRule, location: Location, message: string): void;
    /** The linter for one instruction: the first `# check=` comment above it adds its options (invalid ones are ignored). */
    withComments(comments: readonly string[]): Linter;
    /** Findings sorted by line, then message (BuildKit reports them in this order). */
    results(): CheckFinding[];
    /** With `error=true` and findings: the build's error (BuildKit's "lint violation found for rules: …"). */
    error(): DockerfileError | undefined;
}
