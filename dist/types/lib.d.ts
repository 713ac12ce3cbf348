/**
 * Kiln's library entry: the Dockerfile front end (parser, typed
 * instructions, stage planner, ARG/ENV scope and word expansion,
 * .dockerignore matching) for other tools. See src/dockerfile/.
 */
export { ALL_RULES, type BaseImageInfo, type CheckFinding, type CheckOptions, type CheckReport, type CheckRule, formatFinding, RULES, runChecks, } from './dockerfile/checks/index.js';
export { exposedPorts, stopSignal, volumes, workdir, } from './dockerfile/dispatch-values.js';
export { type ParsedDockerfile, parseDockerfile, parseInstruction, parseOnbuildTrigger, type Stage, } from './dockerfile/dockerfile.js';
export { type Dockerignore, IgnoreMatcher, type IgnorePattern, loadDockerignore, parseDockerignore, } from './dockerfile/dockerignore.js';
export { atLocation, DockerfileError, type Location, ShellWordError } from './dockerfile/errors.js';
export { expandInstruction, type WordExpander } from './dockerfile/expand.js';
export type * from './dockerfile/instructions.js';
export { assertNever, INSTRUCTION_KINDS } from './dockerfile/instructions.js';
export { chompHeredocContent, type Directive, type Heredoc, MAX_LINE_BYTES, type Node, type ParseResult, type ParseWarning, parseNodes, } from './dockerfile/parser.js';
export { PatternMatcher } from './dockerfile/pattern-matcher.js';
export { formatPlatform, hostPlatform, normalizePlatform, PLATFORM_ARG_NAMES, type PlatformSpec, parsePlatform, platformArgs, } from './dockerfile/platform.js';
export { HEREDOC_SCRIPT_DIR, type RunPlan, runCommandPlan } from './dockerfile/run-command.js';
export { DEFAULT_PATH, type DeclaredArg, isProxyArg, PROXY_ARG_NAMES, resolveGlobalArgs, type ScopeOptions, StageScope, } from './dockerfile/scope.js';
export { type EnvLookup, type EscapeToken, type ExpansionResult, type LexOptions, ShellLex, } from './dockerfile/shell-lex.js';
export { type BuildPlan, type PlannedStage, type PlanOptions, planStages, resolveFrom, type StageSource, } from './dockerfile/stages.js';
export { type DockerfileSyntax, FEATURES, hasFeature, LATEST_SYNTAX, parseFrontendRef, resolveSyntax, type SyntaxFeature, type SyntaxOptions, } from './dockerfile/syntax.js';
