/**
 * `kiln prune [--store DIR | --cache-dir DIR] [--store-max SIZE]`: removes
 * snapshot store entries that no running build uses — all of them, or the
 * least recently used ones until the store holds at most SIZE — and what
 * builds that ended mid-write left behind. The store is found as `kiln
 * build` finds it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from '../cli.js';
import { formatBytes } from '../executor/store/collect.js';
import { StoreLayout } from '../executor/store/layout.js';
import { defaultStoreDir, storeMaxBytes } from '../executor/store/location.js';
import { SnapshotStore } from '../executor/store/snapshot-store.js';
import { BUILD_FLAGS } from '../flags/executor-flags.js';
import { type FlagSpec, formatFlagHelp, parseFlags, UsageError } from '../flags/parser.js';
import { streamLogger } from '../log.js';

/** --store and --cache-dir as `kiln build` takes them (the store is found the same way). */
const SHARED = new Set(['store', 'cache-dir']);

export const PRUNE_FLAGS: readonly FlagSpec[] = [
  ...BUILD_FLAGS.filter((f) => SHARED.has(f.name)),
  {
    name: 'store-max',
    kind: 'string',
    metavar: 'size',
    help: 'Keep the most recently used layers up to this size (default: remove every unused layer)',
  },
  { name: 'help', short: 'h', kind: 'bool', help: 'Show this help' },
];

export function pruneHelp(): string {
  return [
    'Usage: kiln prune [flags]',
    '',
    'Removes snapshot store layers no running build uses.',
    '',
    formatFlagHelp(PRUNE_FLAGS),
    '',
  ].join('\n');
}

export async function runPrune(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, PRUNE_FLAGS);
  const get = (name: string) => flags.values.get(name) as string | undefined;
  if (flags.values.get('help')) {
    io.stdout(pruneHelp());
    return 0;
  }
  if (flags.positional.length > 0) {
    throw new UsageError(`unexpected argument "${flags.positional[0]}" (kiln prune takes flags only)`);
  }
  let maxBytes = 0;
  const max = get('store-max');
  if (max !== undefined) {
    const n = storeMaxBytes(max);
    if (typeof n === 'string') throw new UsageError(`--store-max ${n}`);
    maxBytes = n;
  }
  const store = get('store');
  const cacheDir = get('cache-dir');
  const dir = store
    ? path.resolve(io.cwd, store)
    : defaultStoreDir(io.env, cacheDir && path.resolve(io.cwd, cacheDir));
  if (!(await stat(new StoreLayout(dir).root).catch(() => undefined))) {
    io.stdout(`kiln prune: no snapshot store at ${dir}: nothing to remove\n`);
    return 0;
  }
  const log = streamLogger({ write: (line) => io.stderr(`${line}\n`) });
  const s = await SnapshotStore.open({ dir, maxBytes: maxBytes || 1 }, log);
  try {
    const r = await s.prune(maxBytes);
    const busy = r.inUse ? `; ${r.inUse} in use by running builds` : '';
    io.stdout(
      `kiln prune: ${dir}: removed ${r.removed} layer(s) (${formatBytes(r.freed)}), kept ${r.entries} (${formatBytes(r.bytes)})${busy}\n`,
    );
  } finally {
    await s.close();
  }
  return 0;
}
