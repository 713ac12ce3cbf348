/**
 * Checks on FROM lines against the global ARGs (BuildKit's
 * buildDispatchStates and validateBaseImagesWithDefaultArgs):
 * InvalidDefaultArgInFrom, UndefinedArgInFrom, RedundantTargetPlatform,
 * FromPlatformFlagConstDisallowed.
 */
import { parseReference } from '../../image/reference.js';
import type { ParsedDockerfile } from '../dockerfile.js';
import { type PlatformSpec, parsePlatform, platformArgs } from '../platform.js';
import { resolveGlobalArgs } from '../scope.js';
import { type ExpansionResult, ShellLex } from '../shell-lex.js';
import type { Linter } from './linter.js';
import { RULES } from './rules.js';
import { suggestName } from './suggest.js';

export interface FromCheckInput {
  buildArgs: ReadonlyMap<string, string>;
  buildPlatform: PlatformSpec;
  targetPlatform: PlatformSpec;
  /** TARGETSTAGE's value. */
  targetStage: string;
}

/** Predefined ARGs BuildKit knows beyond Kiln's (always empty on Linux). */
const EXTRA_PREDEFINED = ['BUILDOSVERSION', 'TARGETOSVERSION'];

function tryProcess(
  lex: ShellLex,
  word: string,
  env: ReadonlyMap<string, string>,
): ExpansionResult | undefined {
  try {
    return lex.process(word, env);
  } catch {
    return undefined;
  }
}

function validReference(ref: string): boolean {
  try {
    parseReference(ref);
    return true;
  } catch {
    return false;
  }
}

export function fromChecks(
  df: ParsedDockerfile,
  input: FromCheckInput,
  lint: Linter,
  commentsOf: (line: number) => readonly string[],
): void {
  const lex = new ShellLex(df.escapeToken);
  const predefined = (args: ReadonlyMap<string, string>) =>
    platformArgs(input.buildPlatform, input.targetPlatform, input.targetStage, args);

  // With the ARG defaults only (no build args), every base must still be a valid name.
  let defaults: Map<string, string> | undefined;
  try {
    defaults = resolveGlobalArgs(df.metaArgs, new Map(), predefined(input.buildArgs), df.escapeToken);
  } catch {
    defaults = undefined;
  }
  if (defaults) {
    for (const stage of df.stages) {
      const r = tryProcess(lex, stage.from.image, defaults);
      if (!r) break;
      if (!validReference(r.result)) {
        lint.run(
          RULES.InvalidDefaultArgInFrom,
          stage.from.location,
          RULES.InvalidDefaultArgInFrom.format(stage.from.image),
        );
      }
    }
  }

  let globals: Map<string, string>;
  try {
    globals = resolveGlobalArgs(df.metaArgs, input.buildArgs, predefined(input.buildArgs), df.escapeToken);
  } catch {
    return;
  }
  const argKeys = new Set<string>([
    ...df.metaArgs.flatMap((a) => a.args.map((d) => d.name)),
    ...globals.keys(),
  ]);
  for (const k of EXTRA_PREDEFINED) argKeys.add(k);
  const undeclared = (
    r: ExpansionResult,
    own: Linter,
    at: (typeof df.stages)[number]['from']['location'],
  ) => {
    for (const name of r.unmatched) {
      if (argKeys.has(name)) continue;
      own.run(
        RULES.UndefinedArgInFrom,
        at,
        RULES.UndefinedArgInFrom.format(name, suggestName(name, argKeys, true)),
      );
    }
  };

  for (const stage of df.stages) {
    const at = stage.from.location;
    const own = lint.withComments(commentsOf(at.startLine));
    const base = tryProcess(lex, stage.from.image, globals);
    if (base) undeclared(base, own, at);
    const platform = stage.from.platform;
    if (platform === undefined) continue;
    const p = tryProcess(lex, platform, globals);
    if (!p) continue;
    undeclared(p, own, at);
    // $TARGETPLATFORM alone, expanded to the target platform: the default anyway.
    if (
      p.matched.size === 1 &&
      p.unmatched.size === 0 &&
      p.matched.has('TARGETPLATFORM') &&
      p.result === globals.get('TARGETPLATFORM')
    ) {
      own.run(RULES.RedundantTargetPlatform, at, RULES.RedundantTargetPlatform.format(platform));
    }
    // A constant platform, unless the stage's name says which platform it is for.
    if (p.matched.size === 0 && p.unmatched.size === 0) {
      let parsed: PlatformSpec | undefined;
      try {
        parsed = parsePlatform(p.result);
      } catch {
        parsed = undefined;
      }
      const name = stage.name ?? '';
      if (parsed && !name.includes(parsed.os) && !name.includes(parsed.architecture)) {
        own.run(
          RULES.FromPlatformFlagConstDisallowed,
          at,
          RULES.FromPlatformFlagConstDisallowed.format(p.result),
        );
      }
    }
  }
}
