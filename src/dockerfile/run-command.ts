/**
 * How to execute a RUN the way BuildKit does (dockerfile2llb dispatchRun),
 * heredocs included. The executor then runs:
 *
 * - `exec`:   args as is, no shell (`RUN ["make", "all"]`).
 * - `shell`:  [...shell, script], shell being the stage's SHELL (default
 *   ["/bin/sh", "-c"]). Covers plain shell form and these heredoc forms:
 *   `RUN <<EOF` alone → the body (chomped for `<<-`) is the script;
 *   `RUN python3 <<EOF` (any command line with heredocs) → the script is the
 *   line, then for each heredoc "\n" + body + delimiter, so the shell itself
 *   feeds the bodies (and expands them unless the delimiter was quoted).
 * - `file`:   `RUN <<EOF` alone whose body starts with `#!`: write content to
 *   path (mode 0755) in a mount that is not part of the layer (BuildKit
 *   mounts it read-only at /dev/pipes/), then run [...shell, path].
 *
 * Variables in a `RUN <<EOF` body are never expanded by Kiln: the shell does it.
 */
import type { RunInstruction } from './instructions.js';
import { chompHeredocContent, parseHeredocWord } from './line-parsers.js';

export type RunPlan =
  | { kind: 'exec'; args: string[] }
  | { kind: 'shell'; script: string }
  | { kind: 'file'; path: string; content: string; mode: number };

/** Where BuildKit mounts the script of a `RUN <<EOF` whose body starts with `#!`. */
export const HEREDOC_SCRIPT_DIR = '/dev/pipes/';

function isSingleHeredoc(command: string): boolean {
  try {
    return parseHeredocWord(command) !== undefined;
  } catch {
    return false;
  }
}

export function runCommandPlan(run: RunInstruction): RunPlan {
  if (run.command.form === 'exec') return { kind: 'exec', args: run.command.args };
  const command = run.command.command;
  const first = run.heredocs[0];
  if (!first) return { kind: 'shell', script: command };
  if (isSingleHeredoc(command)) {
    const data = first.chomp ? chompHeredocContent(first.content) : first.content;
    if (data.startsWith('#!')) {
      return { kind: 'file', path: `${HEREDOC_SCRIPT_DIR}${first.name}`, content: data, mode: 0o755 };
    }
    return { kind: 'shell', script: data };
  }
  let script = command;
  for (const h of run.heredocs) script += `\n${h.content}${h.name}`;
  return { kind: 'shell', script };
}
