/**
 * The one logging interface the core writes to. The action backs it with
 * @actions/core; the CLI with plain timestamped lines on stderr. Core code
 * never imports @actions/core itself.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  /**
   * A warning about a line of a file (a build check finding): the action
   * makes it an annotation there; without it, warn() gets `file:line: message`.
   */
  warnAt?(message: string, at: FileLocation): void;
  error(message: string): void;
  /** Runs fn inside a collapsible group (a prefix in plain output). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Registers a value that must never be printed. */
  secret(value: string): void;
  /**
   * A live status line for work in progress (`key` identifies it; undefined
   * text clears it). Terminals show these under the log, as BuildKit does;
   * plain logs ignore them (the step's own lines say what happened).
   */
  progress?(key: string, text: string | undefined): void;
}

/** Where a warning points: a file (as the user named it) and its lines. */
export interface FileLocation {
  file: string;
  line: number;
  endLine?: number;
  /** A short title (the check's name). */
  title?: string;
}

/** A logger that prints nothing; for library callers and tests. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  group: (_name, fn) => fn(),
  secret() {},
};

export interface StreamLoggerOptions {
  verbose?: boolean;
  timestamps?: boolean;
  write?: (line: string) => void;
}

/** Plain lines for terminals, CI logs and laptops; redacts registered secrets. */
export function streamLogger(opts: StreamLoggerOptions = {}): Logger {
  const secrets = new Set<string>();
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const prefixes: string[] = [];
  const emit = (level: string, message: string) => {
    let text = message;
    for (const s of secrets) text = text.split(s).join('***');
    const ts = opts.timestamps ? `${new Date().toISOString()} ` : '';
    const lvl = level ? `${level}: ` : '';
    const pre = prefixes.length ? `[${prefixes.join(' > ')}] ` : '';
    for (const line of text.split('\n')) write(`${ts}${pre}${lvl}${line}`);
  };
  return {
    debug: (m) => {
      if (opts.verbose) emit('debug', m);
    },
    info: (m) => emit('', m),
    warn: (m) => emit('warning', m),
    error: (m) => emit('error', m),
    async group(name, fn) {
      prefixes.push(name);
      try {
        return await fn();
      } finally {
        prefixes.pop();
      }
    },
    secret(value) {
      if (value) secrets.add(value);
    },
  };
}
