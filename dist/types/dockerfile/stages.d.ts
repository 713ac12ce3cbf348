import type { ParsedDockerfile, Stage } from './dockerfile.js';
import { type Location } from './errors.js';
import type { Instruction } from './instructions.js';
import type { ParseWarning } from './parser.js';
import { type PlatformSpec } from './platform.js';
export interface PlanOptions {
    /** `--target`: a stage name; default: the last stage. */
    target?: string;
    buildArgs: ReadonlyMap<string, string>;
    buildPlatform: PlatformSpec;
    targetPlatform: PlatformSpec;
    /**
     * The OnBuild triggers in the config of each image-based stage's base
     * image, by stage index, once known. Plan once without them (to fail
     * before any pull), then again with them: a trigger's COPY --from can add
     * a stage to the plan.
     */
    baseImageTriggers?: ReadonlyMap<number, readonly string[]>;
}
/** What a FROM, a COPY --from or a RUN --mount from= reads. */
export type StageSource = {
    kind: 'scratch';
} | {
    kind: 'stage';
    index: number;
    name?: string;
}
/** An image reference, expanded but not normalised (`alpine:3.20`). */
 | {
    kind: 'image';
    ref: string;
};
export interface PlannedStage {
    index: number;
    name?: string;
    stage: Stage;
    base: StageSource;
    /** FROM --platform, expanded. */
    platform?: string;
    /** Earlier stages this one needs (its base and every --from), ascending. */
    dependsOn: number[];
    /** Images read by COPY --from / RUN --mount from= (not the base). */
    images: string[];
    /**
     * ONBUILD triggers to run before the stage's own instructions, typed, at
     * the FROM line: the base stage's ONBUILD instructions, or the base
     * image's triggers when given in baseImageTriggers.
     */
    onbuild: Instruction[];
}
export interface BuildPlan {
    /** Index of the target stage. */
    target: number;
    /** The stages to build, dependencies first (ascending index). */
    stages: PlannedStage[];
    /** Predefined platform ARGs and meta ARGs: pass to StageScope. */
    globalArgs: Map<string, string>;
    warnings: ParseWarning[];
}
/**
 * Resolves COPY --from / RUN --mount from= the way BuildKit does: a number
 * is a stage index, a stage name (any earlier or later stage) is that stage,
 * anything else an image. Variables are not expanded in --from.
 */
export declare function resolveFrom(df: ParsedDockerfile, from: string, location: Location): StageSource;
export declare function planStages(df: ParsedDockerfile, opts: PlanOptions): BuildPlan;
