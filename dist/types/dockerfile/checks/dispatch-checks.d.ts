import { type ParsedDockerfile } from '../dockerfile.js';
import type { IgnoreMatcher } from '../dockerignore.js';
import { type PlatformSpec } from '../platform.js';
import type { Linter } from './linter.js';
/** What a check needs of a stage's base image (from its config). */
export interface BaseImageInfo {
    env: readonly string[];
    shell?: readonly string[];
    onBuild?: readonly string[];
    /** The platform of the image that was pulled. */
    platform?: PlatformSpec;
}
export interface DispatchCheckInput {
    buildArgs: ReadonlyMap<string, string>;
    /** Global ARGs resolved with the build args (plan.globalArgs). */
    globalArgs: ReadonlyMap<string, string>;
    targetPlatform: PlatformSpec;
    /** Stage indexes to dispatch (all stages for `kiln check`, the planned ones for a build). */
    stages: readonly number[];
    /** Base image configs by stage index, when known (stages on images only). */
    baseImages: ReadonlyMap<number, BaseImageInfo>;
    /** The context's .dockerignore (CopyIgnoredFile). */
    dockerignore?: IgnoreMatcher;
}
export declare function dispatchChecks(df: ParsedDockerfile, input: DispatchCheckInput, lint: Linter, commentsOf: (line: number) => readonly string[]): void;
