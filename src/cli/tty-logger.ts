/**
 * The CLI's terminal view: log lines scroll as usual while the steps and
 * transfers in progress stay at the bottom with their elapsed time, redrawn
 * a few times a second (BuildKit's tty output, in small). Used only when
 * stderr is a terminal and CI is not set; otherwise plain timestamped lines.
 */
import { type Logger, streamLogger } from '../log.js';

export interface TtyOptions {
  verbose?: boolean;
  write: (text: string) => void;
  /** Columns of the terminal (lines are cut to fit). */
  columns: () => number;
  now?: () => number;
}

const CLEAR_LINE = '\x1b[2K';
const UP = (n: number) => `\x1b[${n}A`;

export function ttyLogger(opts: TtyOptions): Logger & { close(): void } {
  const now = opts.now ?? Date.now;
  const active = new Map<string, { text: string; since: number }>();
  let drawn = 0;
  const erase = () => {
    if (drawn === 0) return '';
    const out = `\r${UP(drawn)}${`${CLEAR_LINE}\n`.repeat(drawn)}${UP(drawn)}`;
    drawn = 0;
    return out;
  };
  const draw = () => {
    const cols = Math.max(20, opts.columns());
    const lines = [...active.values()].map(({ text, since }) => {
      const secs = ((now() - since) / 1000).toFixed(1);
      const line = ` => ${text}`;
      const tail = ` ${secs}s`;
      return `${line.length + tail.length > cols ? `${line.slice(0, cols - tail.length - 1)}…` : line}${tail}`;
    });
    drawn = lines.length;
    return lines.map((l) => `${CLEAR_LINE}${l}\n`).join('');
  };
  const plain = streamLogger({
    verbose: opts.verbose,
    timestamps: false,
    write: (line) => opts.write(`${erase()}${line}\n${draw()}`),
  });
  const timer = setInterval(() => {
    if (active.size) opts.write(`${erase()}${draw()}`);
  }, 200);
  timer.unref();
  return {
    ...plain,
    progress(key, text) {
      if (text === undefined) active.delete(key);
      else active.set(key, { text, since: active.get(key)?.since ?? now() });
      opts.write(`${erase()}${draw()}`);
    },
    close() {
      clearInterval(timer);
      active.clear();
      opts.write(erase());
    },
  };
}
