/**
 * Errors of the Dockerfile front end. Every error a user can cause names the
 * file and the line: `Dockerfile:12: unknown instruction "FOO"`. The action
 * turns `file`, `line` and `endLine` into an annotation on that line.
 */

/** Where an instruction (or a .dockerignore pattern) lives in its file. */
export interface Location {
  file: string;
  /** 1-based, the first line of the instruction. */
  startLine: number;
  /** 1-based, the last line (continuations and heredoc bodies included). */
  endLine: number;
}

export class DockerfileError extends Error {
  override name = 'DockerfileError';
  /** The error without the `file:line: ` prefix. */
  readonly detail: string;
  readonly file: string;
  /** 1-based line; undefined when the error is about the file as a whole (e.g. an unknown --target). */
  readonly line: number | undefined;
  readonly endLine: number | undefined;

  constructor(file: string, line: number | undefined, detail: string, endLine?: number) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.file = file;
    this.line = line;
    this.endLine = line === undefined ? undefined : Math.max(endLine ?? line, line);
    this.detail = detail;
  }

  static at(location: Location, detail: string): DockerfileError {
    return new DockerfileError(location.file, location.startLine, detail, location.endLine);
  }
}

/**
 * A problem found while expanding a shell word; carries no location. The
 * caller that knows the instruction wraps it into a DockerfileError.
 */
export class ShellWordError extends Error {
  override name = 'ShellWordError';
}

/** Runs fn; turns a ShellWordError (or any plain Error) into a DockerfileError at location. */
export function atLocation<T>(location: Location, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DockerfileError) throw err;
    throw DockerfileError.at(location, err instanceof Error ? err.message : String(err));
  }
}
