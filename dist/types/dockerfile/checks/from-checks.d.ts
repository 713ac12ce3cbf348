import type { ParsedDockerfile } from '../dockerfile.js';
import { type PlatformSpec } from '../platform.js';
import type { Linter } from './linter.js';
export interface FromCheckInput {
    buildArgs: ReadonlyMap<string, string>;
    buildPlatform: PlatformSpec;
    targetPlatform: PlatformSpec;
    /** TARGETSTAGE's value. */
    targetStage: string;
}
export declare function fromChecks(df: ParsedDockerfile, input: FromCheckInput, lint: Linter, commentsOf: (line: number) => readonly string[]): void;
