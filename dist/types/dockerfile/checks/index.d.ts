/**
 * runChecks(): BuildKit's build checks on a parsed Dockerfile. Every build
 * runs them (findings are warnings; `# check=error=true` makes them fail the
 * build) and `kiln check` / `kiln build --check` runs them alone.
 *
 * What the checks need beyond the Dockerfile comes in CheckOptions: build
 * args and platforms (FROM checks), the base images' configs (UndefinedVar
 * sees their Env, JSONArgsRecommended their Shell, InvalidBaseImagePlatform
 * their platform) and the context's .dockerignore (CopyIgnoredFile).
 */
import type { ParsedDockerfile } from '../dockerfile.js';
import type { IgnoreMatcher } from '../dockerignore.js';
import { DockerfileError } from '../errors.js';
import { type PlatformSpec } from '../platform.js';
import { type BaseImageInfo } from './dispatch-checks.js';
import { type CheckConfig, type CheckFinding } from './linter.js';
export { ALL_RULES, type CheckRule, RULES } from './rules.js';
export { stageBase } from './stage-base.js';
export type { BaseImageInfo, CheckFinding };
/** The build arg that replaces the `# check=` directive (BuildKit's). */
export declare const CHECK_BUILD_ARG = "BUILDKIT_DOCKERFILE_CHECK";
export interface CheckOptions {
    buildArgs: ReadonlyMap<string, string>;
    buildPlatform: PlatformSpec;
    targetPlatform: PlatformSpec;
    /** The stage built (TARGETSTAGE); default the last. */
    target?: string;
    /** Stage indexes whose instructions are checked, in order; default all (`kiln check`). */
    stages?: readonly number[];
    /** Base image configs by stage index (stages on images). */
    baseImages?: ReadonlyMap<number, BaseImageInfo>;
    dockerignore?: IgnoreMatcher;
}
export interface CheckReport {
    /** False when the Dockerfile's syntax predates checks (before dockerfile 1.8). */
    ran: boolean;
    findings: CheckFinding[];
    /** With `error=true` and findings: the error that fails the build. */
    error?: DockerfileError;
}
/** The check configuration: the build arg if given, else the `# check=` directive. Throws DockerfileError. */
export declare function checkConfig(df: ParsedDockerfile, buildArgs: ReadonlyMap<string, string>): CheckConfig;
/** The global ARGs (predefined and meta ARGs, build args applied); undefined when they cannot be resolved. */
export declare function checkGlobalArgs(df: ParsedDockerfile, opts: Pick<CheckOptions, 'buildArgs' | 'buildPlatform' | 'targetPlatform' | 'target'>): Map<string, string> | undefined;
export declare function runChecks(df: ParsedDockerfile, opts: CheckOptions): CheckReport;
/** `Dockerfile:3: JSONArgsRecommended: JSON arguments … (https://docs.docker.com/…)`, one line. */
export declare function formatFinding(f: CheckFinding): string;
