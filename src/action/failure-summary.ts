/**
 * The job summary of a failed run: which step failed (the Dockerfile lines of
 * the instruction, when the error names them), the last lines that step
 * printed (a failed RUN's output tail), and the cause, with what to do.
 * Everything from the build lands in code blocks; secrets are redacted by
 * the caller's `redact`.
 */
import { isDockerfileErrorLike } from './annotations.js';
import { codeSpan } from './summary.js';

export interface FailureInput {
  error: unknown;
  /** The error's message as the annotation shows it (settings named, secrets redacted). */
  message: string;
  /** Reads a Dockerfile the error points at; undefined when it cannot. */
  readFile: (file: string) => string | undefined;
  durationMs: number;
}

const OUTPUT_MARK = '\nlast output:\n';

/** A fenced block that no line of `text` can close. */
function fenced(text: string, info = ''): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${info}`, text, fence];
}

export function renderFailureSummary(input: FailureInput): string {
  const { error, message } = input;
  const lines = ['## Kiln: build failed', ''];
  const at = message.indexOf(OUTPUT_MARK);
  const cause = at >= 0 ? message.slice(0, at) : message;
  const output = at >= 0 ? message.slice(at + OUTPUT_MARK.length).replace(/^ {2}/gm, '') : undefined;

  if (isDockerfileErrorLike(error)) {
    const e = error as { file: string; line: number; endLine?: number };
    const text = input.readFile(e.file);
    const step = text
      ?.split(/\r?\n/)
      .slice(e.line - 1, Math.max(e.endLine ?? e.line, e.line))
      .join('\n');
    lines.push(`**Failed step:** ${codeSpan(`${e.file}:${e.line}`)}`, '');
    if (step) lines.push(...fenced(step, 'dockerfile'), '');
  }
  if (output) lines.push('**Last output:**', '', ...fenced(output), '');
  lines.push('**Cause:**', '', ...fenced(cause), '');
  lines.push(`Failed after ${(input.durationMs / 1000).toFixed(1)} s.`, '');
  return lines.join('\n');
}
