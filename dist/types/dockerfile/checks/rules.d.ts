/**
 * BuildKit's build checks (frontend/dockerfile/linter/ruleset.go): the same
 * names, descriptions, documentation URLs and messages, and the Dockerfile
 * syntax version that introduced each (a `# syntax=` older than that does
 * not run it, as an older BuildKit frontend would not).
 */
export interface CheckRule {
    name: string;
    description: string;
    /** Docker's page for the rule (InvalidBaseImagePlatform has none). */
    url?: string;
    /** Dockerfile syntax 1.N that introduced the rule. */
    since: number;
    /** Runs only when `# check=experimental=…` names it (or all). */
    experimental?: boolean;
}
export declare const RULES: {
    readonly StageNameCasing: CheckRule & {
        format: (stageName: string) => string;
    };
    readonly FromAsCasing: CheckRule & {
        format: (from: string, as: string) => string;
    };
    readonly NoEmptyContinuation: CheckRule & {
        format: () => string;
    };
    readonly ConsistentInstructionCasing: CheckRule & {
        format: (violating: string, casing: string) => string;
    };
    readonly DuplicateStageName: CheckRule & {
        format: (stageName: string) => string;
    };
    readonly ReservedStageName: CheckRule & {
        format: (name: string) => string;
    };
    readonly JSONArgsRecommended: CheckRule & {
        format: (instruction: string) => string;
    };
    readonly MaintainerDeprecated: CheckRule & {
        format: () => string;
    };
    readonly UndefinedArgInFrom: CheckRule & {
        format: (arg: string, suggest: string) => string;
    };
    readonly WorkdirRelativePath: CheckRule & {
        format: (workdir: string) => string;
    };
    readonly UndefinedVar: CheckRule & {
        format: (arg: string, suggest: string) => string;
    };
    readonly MultipleInstructionsDisallowed: CheckRule & {
        format: (instruction: string) => string;
    };
    readonly LegacyKeyValueFormat: CheckRule & {
        format: (cmd: string) => string;
    };
    readonly InvalidBaseImagePlatform: CheckRule & {
        format: (image: string, expected: string, actual: string) => string;
    };
    readonly RedundantTargetPlatform: CheckRule & {
        format: (platformVar: string) => string;
    };
    readonly SecretsUsedInArgOrEnv: CheckRule & {
        format: (instruction: string, key: string) => string;
    };
    readonly InvalidDefaultArgInFrom: CheckRule & {
        format: (baseName: string) => string;
    };
    readonly FromPlatformFlagConstDisallowed: CheckRule & {
        format: (platform: string) => string;
    };
    readonly CopyIgnoredFile: CheckRule & {
        format: (cmd: string, file: string) => string;
    };
    readonly InvalidDefinitionDescription: CheckRule & {
        format: (instruction: string, name: string) => string;
    };
    readonly ExposeProtoCasing: CheckRule & {
        format: (port: string) => string;
    };
    readonly ExposeInvalidFormat: CheckRule & {
        format: (port: string) => string;
    };
};
export type RuleName = keyof typeof RULES;
/** Every rule, in BuildKit's order. */
export declare const ALL_RULES: readonly CheckRule[];
