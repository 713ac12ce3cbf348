/**
 * Interrupted builds: SIGINT and SIGTERM (GitHub's cancel sends SIGINT, then
 * SIGTERM 7.5 s later, then SIGKILL) stop the build instead of killing the
 * process. The first signal aborts the build: RUN process trees are killed,
 * the normal cleanup runs (unmount, workspace, partial outputs, the auth
 * file) and the front door exits 130 (SIGINT) or 143 (SIGTERM). A second
 * signal, or a cleanup that outlasts the grace period, runs the registered
 * exit cleanups synchronously and exits at once.
 *
 * The front door owns one Interrupts and passes it down (BuildDeps); what
 * must not survive the process registers an exit cleanup on it.
 */
import { readFileSync } from 'node:fs';

/** Registers synchronous work that must run if the process has to exit at once; returns its removal. */
export type OnExit = (cleanup: () => void) => () => void;

export interface InterruptHandle {
  /** Aborted by the first SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  readonly onExit: OnExit;
}

export interface InterruptOptions {
  /** Told what happens (one line per signal). */
  notify: (message: string) => void;
  /** How long the orderly cleanup may take after the first signal before the hard exit (default 20 s). */
  graceMs?: number;
  /** Ends the process (default process.exit): tests replace it. */
  exit?: (code: number) => void;
}

const CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export class Interrupts implements InterruptHandle {
  private readonly controller = new AbortController();
  private readonly cleanups = new Set<() => void>();
  private received: NodeJS.Signals | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onInt = () => this.onSignal('SIGINT');
  private readonly onTerm = () => this.onSignal('SIGTERM');

  private constructor(private readonly opts: InterruptOptions) {}

  /** Installs the SIGINT/SIGTERM handlers of this process. */
  static install(opts: InterruptOptions): Interrupts {
    const i = new Interrupts(opts);
    process.on('SIGINT', i.onInt);
    process.on('SIGTERM', i.onTerm);
    return i;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** 130 or 143 once a signal was received, else undefined. */
  exitCode(): number | undefined {
    return this.received ? CODES[this.received] : undefined;
  }

  readonly onExit: OnExit = (cleanup) => {
    this.cleanups.add(cleanup);
    return () => {
      this.cleanups.delete(cleanup);
    };
  };

  /**
   * After an interrupted build has cleaned up what it could: runs the exit
   * cleanups left and ends the process with 130/143 (work still running,
   * such as an output writer, must not outlive the cleanup).
   */
  exitInterrupted(): void {
    this.exitNow(this.exitCode() ?? 143);
  }

  /** Removes the handlers (the process then dies of the next signal, as by default). */
  uninstall(): void {
    process.off('SIGINT', this.onInt);
    process.off('SIGTERM', this.onTerm);
    if (this.timer) clearTimeout(this.timer);
  }

  private onSignal(sig: NodeJS.Signals): void {
    if (this.received) {
      this.opts.notify(`${sig} again: exiting now`);
      this.exitNow(CODES[sig] ?? 143);
      return;
    }
    this.received = sig;
    this.opts.notify(`${sig}: stopping the build and cleaning up (send it again to exit at once)`);
    this.controller.abort(new InterruptedError(sig));
    this.timer = setTimeout(() => {
      this.opts.notify('cleanup is taking too long: exiting now');
      this.exitNow(CODES[sig] ?? 143);
    }, this.opts.graceMs ?? 20_000);
    this.timer.unref();
  }

  /** Runs every registered cleanup (each once, errors ignored), then exits. */
  private exitNow(code: number): void {
    for (const c of [...this.cleanups].reverse()) {
      this.cleanups.delete(c);
      try {
        c();
      } catch {
        // best effort: the next build removes what is left
      }
    }
    (this.opts.exit ?? process.exit)(code);
  }
}

/** The build was stopped by a signal. */
export class InterruptedError extends Error {
  constructor(readonly signalName: NodeJS.Signals) {
    super(`interrupted by ${signalName}`);
    this.name = 'InterruptedError';
  }
}

/** Start time of a process (clock ticks since boot, /proc/PID/stat field 22), undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields follow the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** This process, as `pid starttime`: what an owner file records. */
export function ownerStamp(): string {
  return `${process.pid} ${processStartTime(process.pid) ?? ''}`;
}

/** Whether the process an owner stamp names is still the same running process. */
export function ownerAlive(stamp: string): boolean {
  const [pid, start] = stamp.trim().split(' ');
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  const now = processStartTime(n);
  return now !== undefined && (start === undefined || start === '' || now === start);
}
