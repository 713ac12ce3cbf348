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
import { type PlatformSpec, platformArgs } from '../platform.js';
import { resolveGlobalArgs } from '../scope.js';
import { hasFeature } from '../syntax.js';
import { type BaseImageInfo, dispatchChecks } from './dispatch-checks.js';
import { fromChecks } from './from-checks.js';
import {
  type CheckConfig,
  type CheckFinding,
  CheckOptionError,
  Linter,
  parseCheckOptions,
} from './linter.js';
import { parseChecks } from './parse-checks.js';

export { ALL_RULES, type CheckRule, RULES } from './rules.js';
export { stageBase } from './stage-base.js';
export type { BaseImageInfo, CheckFinding };

/** The build arg that replaces the `# check=` directive (BuildKit's). */
export const CHECK_BUILD_ARG = 'BUILDKIT_DOCKERFILE_CHECK';

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
export function checkConfig(df: ParsedDockerfile, buildArgs: ReadonlyMap<string, string>): CheckConfig {
  const fromArg = buildArgs.get(CHECK_BUILD_ARG);
  const directive = df.directives.find((d) => d.name === 'check');
  const text = fromArg ?? directive?.value.split(' ')[0] ?? '';
  try {
    return parseCheckOptions(text);
  } catch (err) {
    if (!(err instanceof CheckOptionError)) throw err;
    const where = fromArg !== undefined ? `--build-arg ${CHECK_BUILD_ARG}` : '# check=';
    throw new DockerfileError(
      df.file,
      fromArg !== undefined ? undefined : directive?.line,
      `failed to parse check options (${where}): ${err.message}; write skip=Rule1,Rule2;error=true`,
    );
  }
}

/** TARGETSTAGE of a check run: the target, else the last stage's name. */
function targetStageOf(df: ParsedDockerfile, target: string | undefined): string {
  return target || df.stages[df.stages.length - 1]?.name || 'default';
}

/** The global ARGs (predefined and meta ARGs, build args applied); undefined when they cannot be resolved. */
export function checkGlobalArgs(
  df: ParsedDockerfile,
  opts: Pick<CheckOptions, 'buildArgs' | 'buildPlatform' | 'targetPlatform' | 'target'>,
): Map<string, string> | undefined {
  try {
    const stage = targetStageOf(df, opts.target);
    const predefined = platformArgs(opts.buildPlatform, opts.targetPlatform, stage, opts.buildArgs);
    return resolveGlobalArgs(df.metaArgs, opts.buildArgs, predefined, df.escapeToken);
  } catch {
    return undefined; // The build reports it.
  }
}

export function runChecks(df: ParsedDockerfile, opts: CheckOptions): CheckReport {
  if (!hasFeature(df.syntax, 'checks')) return { ran: false, findings: [] };
  const lint = new Linter(
    checkConfig(df, opts.buildArgs),
    df.syntax.version.minor,
    [],
    hasFeature(df.syntax, 'checkComments'),
  );
  const comments = new Map(df.nodes.map((n) => [n.startLine, n.comments]));
  const commentsOf = (line: number) => comments.get(line) ?? [];
  const targetStage = targetStageOf(df, opts.target);

  parseChecks(df, lint);
  fromChecks(
    df,
    {
      buildArgs: opts.buildArgs,
      buildPlatform: opts.buildPlatform,
      targetPlatform: opts.targetPlatform,
      targetStage,
    },
    lint,
    commentsOf,
  );
  const globalArgs = checkGlobalArgs(df, opts);
  if (globalArgs) {
    dispatchChecks(
      df,
      {
        buildArgs: opts.buildArgs,
        globalArgs,
        targetPlatform: opts.targetPlatform,
        stages: opts.stages ?? df.stages.map((s) => s.index),
        baseImages: opts.baseImages ?? new Map(),
        ...(opts.dockerignore ? { dockerignore: opts.dockerignore } : {}),
      },
      lint,
      commentsOf,
    );
  }
  const error = lint.error();
  return { ran: true, findings: lint.results(), ...(error ? { error } : {}) };
}

/** `Dockerfile:3: JSONArgsRecommended: JSON arguments … (https://docs.docker.com/…)`, one line. */
export function formatFinding(f: CheckFinding): string {
  return `${f.location.file}:${f.location.startLine}: ${f.rule}: ${f.message}${f.url ? ` (${f.url})` : ''}`;
}
