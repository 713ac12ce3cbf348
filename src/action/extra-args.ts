/**
 * `extra_args`: kaniko executor flags, split like a shell would (quotes,
 * backslashes, `$NAME` / `${NAME}` from the step's environment as aevea's
 * `eval` expanded them; no command substitution) and parsed with the
 * executor flag table the CLI uses, so the action and `kiln build` accept
 * the same flags with the same meaning, and refuse the same ones by name.
 * They apply after the inputs: scalar flags replace what the inputs set,
 * list flags (--destination, --build-arg, --label, …) add to it.
 */

import type { BuildOptions } from '../executor/options.js';
import { applyBuildFlags } from '../flags/apply-flags.js';
import { BUILD_FLAGS } from '../flags/executor-flags.js';
import { type FlagValue, parseFlags } from '../flags/parser.js';
import type { Env } from './github-context.js';
import { splitShellWords } from './shell-words.js';

export interface ExtraArgs {
  /** The words after splitting, for the log. */
  words: string[];
  /** Flags given, by canonical name (see BUILD_FLAGS). */
  values: Map<string, FlagValue>;
  /** Things worth a warning: kaniko flags that change nothing here, unset variables. */
  warnings: string[];
}

/** Flags of the table that make no sense inside the action. */
const REFUSED: Record<string, string> = {
  help: 'the action has no help output; see action.yml for its inputs',
};

/** Splits, expands and parses; throws an Error whose message the caller attributes to extra_args. */
export function parseExtraArgs(text: string, env: Env): ExtraArgs {
  const unset = new Set<string>();
  const words = splitShellWords(text, {
    lookup: (name) => env[name],
    used: (name, set) => {
      if (!set) unset.add(name);
    },
  });
  const parsed = parseFlags(words, BUILD_FLAGS);
  if (parsed.positional.length > 0) {
    throw new Error(
      `unexpected argument "${parsed.positional[0]}": every kaniko flag starts with -- (e.g. --build-arg KEY=value)`,
    );
  }
  for (const [name, why] of Object.entries(REFUSED)) {
    if (parsed.values.has(name)) throw new Error(`--${name} is not accepted here: ${why}`);
  }
  const warnings = [...parsed.warnings];
  for (const name of unset)
    warnings.push(`extra_args: $${name} is not set in the environment: it expanded to nothing`);
  return { words, values: parsed.values, warnings };
}

/** The extra flags applied onto the options the inputs produced (a new object). */
export function applyExtraArgs(options: BuildOptions, extra: ExtraArgs, workspace: string): BuildOptions {
  // No environment: a bare `--build-arg KEY` is refused, the runner's variables stay out of the build.
  return applyBuildFlags(options, extra.values, undefined, workspace);
}

/** The log level extra_args asked for with -v/--verbosity, if any. */
export function extraVerbosity(extra: ExtraArgs): string | undefined {
  const v = extra.values.get('verbosity');
  return typeof v === 'string' ? v : undefined;
}
