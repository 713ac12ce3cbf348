/**
 * What each stage is built on, for the checks: an earlier stage, scratch, or
 * an image (expanded against the global ARGs, with the FROM --platform it
 * asks for). Unlike planStages this covers every stage, needed or not, and
 * never throws: whatever cannot be resolved the build itself reports.
 */
import type { ParsedDockerfile, Stage } from '../dockerfile.js';
import { type PlatformSpec } from '../platform.js';
export interface StageBase {
    stage?: Stage;
    /** The image reference, expanded (undefined for scratch and stages). */
    image?: string;
    /** FROM --platform, expanded and parsed. */
    platform?: PlatformSpec;
}
export declare function stageBase(df: ParsedDockerfile, stage: Stage, globalArgs: ReadonlyMap<string, string>): StageBase;
