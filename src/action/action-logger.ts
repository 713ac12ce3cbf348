/**
 * The Logger the core writes to inside the action, backed by @actions/core:
 *
 * - secrets go to core.setSecret (the runner masks them) and are also
 *   redacted here, before anything is written;
 * - info lines are printed so that build output (RUN steps print whatever
 *   they like) can never act as a workflow command: `::cmd::` at a line's
 *   start and `##[` anywhere get a zero-width space;
 * - groups: one top-level group at a time (the runner does not nest them);
 *   a nested group() prints a heading instead. While no explicit group is
 *   open, lines tagged with a stage label (`[name 2/5] …`, `[name] …`) are
 *   gathered in a group per stage; a line of another stage, or a line of no
 *   stage (the push, the result), ends it, as does close();
 * - debug lines go to core.debug, or to the log when `verbose` (the debug
 *   input, or -v debug in extra_args);
 * - settings that library hints name by code (hints.ts) read as inputs.
 */
import { renderSettings } from '../hints.js';
import type { FileLocation, Logger } from '../log.js';
import { actionSettingName } from './setting-names.js';

/** The part of @actions/core the logger uses. */
export interface CoreLog {
  info(message: string): void;
  debug(message: string): void;
  warning(
    message: string,
    properties?: { title?: string; file?: string; startLine?: number; endLine?: number },
  ): void;
  error(message: string): void;
  startGroup(name: string): void;
  endGroup(): void;
  setSecret(secret: string): void;
}

export interface ActionLogger extends Logger {
  /** Ends the stage group left open, if any (call when the build returns or throws). */
  close(): void;
  /** Text with every registered secret replaced by *** (and hint settings named as inputs). */
  redact(text: string): string;
  /** Turns debug lines in the log on or off (they go to core.debug when off). */
  setVerbose(on: boolean): void;
}

export interface ActionLoggerOptions {
  verbose?: boolean;
}

const ZWSP = '\u200b';
/** The executor tags stage lines `[<name> <step>/<steps>] …` or `[<name>] …` (stage-builder.ts). */
const STAGE_LABEL = /^\[([^\]\s]+)(?: \d+\/\d+)?\] /;

/** A line that cannot be taken for a workflow command, looking the same to a reader. */
export function neutralizeCommands(line: string): string {
  let out = line.replace(/##\[/g, `##${ZWSP}[`);
  const lead = /^\s*::/.exec(out);
  if (lead) out = `${lead[0].slice(0, -1)}${ZWSP}:${out.slice(lead[0].length)}`;
  return out;
}

/** `[builder 2/3] RUN make` → `Stage: builder`, or undefined for other lines. */
export function stageOfLine(line: string): string | undefined {
  const m = STAGE_LABEL.exec(line);
  return m ? `Stage: ${m[1]}` : undefined;
}

export function actionLogger(core: CoreLog, opts: ActionLoggerOptions = {}): ActionLogger {
  const secrets = new Set<string>();
  let verbose = opts.verbose ?? false;
  let depth = 0;
  let stageGroup: string | undefined;

  const redact = (text: string): string => {
    let out = renderSettings(text, actionSettingName);
    // Longest first, so a secret that contains another is replaced whole.
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
    return out;
  };
  const endStageGroup = () => {
    if (stageGroup !== undefined) {
      stageGroup = undefined;
      core.endGroup();
    }
  };
  /** `grouping`: the line may open or end a stage group (debug lines do neither). */
  const print = (message: string, grouping = true) => {
    // The lines of one message stay together: only the first may open or end a group.
    for (const [n, line] of redact(message).split(/\r?\n/).entries()) {
      if (depth === 0 && grouping && n === 0) {
        const stage = stageOfLine(line);
        if (stage !== stageGroup) {
          endStageGroup();
          if (stage !== undefined) {
            stageGroup = stage;
            core.startGroup(stage);
          }
        }
      }
      core.info(neutralizeCommands(line));
    }
  };

  return {
    debug(message) {
      if (verbose) print(`debug: ${message}`, false);
      else core.debug(redact(message));
    },
    info: (message) => print(message),
    // Annotations: the toolkit escapes their text, so no command can hide in them.
    warn: (message) => core.warning(redact(message)),
    // A check finding: a warning annotation on the Dockerfile line (build-push-action does the same).
    // Outside the workspace GitHub cannot place it on a file: the location stays in the text.
    warnAt(message: string, at: FileLocation) {
      const file = at.file.split('\\').join('/');
      if (file.startsWith('../') || file.startsWith('/')) {
        core.warning(redact(`${file}:${at.line}: ${message}`), at.title ? { title: at.title } : {});
        return;
      }
      core.warning(redact(message), {
        ...(at.title ? { title: at.title } : {}),
        file,
        startLine: at.line,
        ...(at.endLine !== undefined ? { endLine: at.endLine } : {}),
      });
    },
    error: (message) => core.error(redact(message)),
    async group(name, fn) {
      if (depth > 0) {
        print(`── ${name}`);
        return fn();
      }
      endStageGroup();
      core.startGroup(redact(name));
      depth++;
      try {
        return await fn();
      } finally {
        depth--;
        core.endGroup();
      }
    },
    secret(value) {
      if (!value) return;
      // The runner masks line by line: register each line of a multi-line secret too.
      for (const v of new Set([value, ...value.split(/\r?\n/).filter((l) => l.trim().length >= 4)])) {
        if (secrets.has(v)) continue;
        secrets.add(v);
        core.setSecret(v);
      }
    },
    close: endStageGroup,
    redact,
    setVerbose(on) {
      verbose = on;
    },
  };
}
