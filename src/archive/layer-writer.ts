/**
 * Layer tars from a ChangeSet (snapshotters) or from explicit entries
 * (COPY/ADD: a layer path ← a file on disk with overridden owner/mode).
 * Both go through planLayer (order, parents, whiteouts, hardlinks, xattrs)
 * and stream the result as an uncompressed tar: small files are read ahead
 * a few at a time, big ones streamed; memory stays flat. Files are opened
 * with O_NOFOLLOW, and a file whose size changed since it was planned fails
 * the layer rather than producing a corrupt one.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { ChangeSet } from './changes.js';
import { LayerWriteError } from './errors.js';
import { type LayerEntry, type LayerPlanOptions, type PlannedEntry, planLayer } from './layer-plan.js';
import { type TarWriteEntry, writeTar } from './tar-writer.js';

export type { LayerEntry, MetadataOverride } from './layer-plan.js';

export type LayerWriterOptions = Omit<LayerPlanOptions, 'parentRoot'>;

export interface EntriesLayerOptions extends LayerWriterOptions {
  /**
   * Where ancestor directories that are not entries take their metadata
   * (`<parentRoot>/<dir>` is lstat'ed; e.g. the stage's rootfs after the
   * COPY). Without it, or where missing: root-owned 0755, mtime 0.
   */
  parentRoot?: string;
}

/** Files up to this size are read whole, ahead of time. */
const SMALL = 256 * 1024;
/** Small files read ahead of the one being written. */
const READ_AHEAD = 32;
const CHUNK = 1 << 20;

/** The tar of a ChangeSet: each 'add' comes from `<sourceRoot>/<path>`, parents too. */
export function writeLayer(set: ChangeSet, options: LayerWriterOptions = {}): Readable {
  const root = set.sourceRoot.replace(/\/+$/, '');
  const entries: LayerEntry[] = set.changes.map((c) =>
    c.kind === 'add' ? { kind: 'add', path: c.path, source: `${root}/${c.path}` } : c,
  );
  return writeLayerFromEntries(entries, { ...options, parentRoot: root });
}

/** The tar of explicit entries (see LayerEntry); used for COPY/ADD. */
export function writeLayerFromEntries(
  entries: readonly LayerEntry[],
  options: EntriesLayerOptions = {},
): Readable {
  return writeTar(streamEntries(entries, options));
}

async function readSmall(p: PlannedEntry): Promise<Buffer> {
  const size = p.header.size ?? 0;
  const fh = await open(p.source!, constants.O_RDONLY | constants.O_NOFOLLOW).catch((e) => {
    throw new LayerWriteError(`cannot open ${p.source}: ${String(e)}`, { entry: p.header.name, cause: e });
  });
  try {
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > size) break;
    }
    if (got !== size) throw changed(p, got);
    return buf.subarray(0, size);
  } finally {
    await fh.close();
  }
}

async function* readLarge(p: PlannedEntry): AsyncGenerator<Buffer> {
  const size = p.header.size ?? 0;
  const fh = await open(p.source!, constants.O_RDONLY | constants.O_NOFOLLOW).catch((e) => {
    throw new LayerWriteError(`cannot open ${p.source}: ${String(e)}`, { entry: p.header.name, cause: e });
  });
  try {
    let pos = 0;
    while (pos < size) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) throw changed(p, pos);
      pos += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
    const { bytesRead } = await fh.read(Buffer.alloc(1), 0, 1, pos);
    if (bytesRead !== 0) throw changed(p, pos + 1);
  } finally {
    await fh.close();
  }
}

function changed(p: PlannedEntry, got: number): LayerWriteError {
  return new LayerWriteError(
    `${p.source} changed while the layer was written (${p.header.size} bytes planned, ${got > (p.header.size ?? 0) ? 'more' : got} read): nothing may modify the filesystem while a layer is written`,
    { entry: p.header.name },
  );
}

async function* streamEntries(
  entries: readonly LayerEntry[],
  options: EntriesLayerOptions,
): AsyncGenerator<TarWriteEntry> {
  const planned = await planLayer(entries, options);
  const isSmall = (p: PlannedEntry) => p.source !== undefined && (p.header.size ?? 0) <= SMALL;
  const ahead = new Map<number, Promise<Buffer>>();
  let next = 0; // next index to consider for read-ahead
  const fill = (from: number) => {
    if (next < from) next = from;
    while (ahead.size < READ_AHEAD && next < planned.length) {
      const i = next++;
      const p = planned[i]!;
      if (!isSmall(p)) continue;
      const read = readSmall(p);
      read.catch(() => undefined); // observed when its turn comes
      ahead.set(i, read);
    }
  };
  try {
    for (let i = 0; i < planned.length; i++) {
      const p = planned[i]!;
      fill(i);
      if (!p.source) {
        yield { header: p.header };
        continue;
      }
      const pending = ahead.get(i);
      if (pending) {
        ahead.delete(i);
        yield { header: p.header, body: await pending };
      } else yield { header: p.header, body: () => readLarge(p) };
    }
  } finally {
    await Promise.allSettled(ahead.values());
  }
}
