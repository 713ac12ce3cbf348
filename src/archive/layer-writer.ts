/**
 * Layer tars from a ChangeSet (snapshotters) or from explicit entries
 * (COPY/ADD: a layer path ← a file on disk with overridden owner/mode).
 * Both go through planLayer (order, parents, whiteouts, hardlinks, xattrs)
 * and stream the result as an uncompressed tar: small files are read whole
 * with synchronous calls (cheaper than the thread pool hand-off, see
 * extract.ts), big ones streamed asynchronously; memory stays flat. Files
 * are opened with O_NOFOLLOW, and a file whose size changed since it was
 * planned fails the layer rather than producing a corrupt one.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { osPath } from '../fs/byte-names.js';
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

/** Files up to this size are read whole, synchronously. */
const SMALL = 256 * 1024;
const CHUNK = 1 << 20;
/** Small files read between two turns of the event loop. */
const YIELD_EVERY = 64;

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

function readSmall(p: PlannedEntry, shared: Buffer): Buffer {
  const size = p.header.size ?? 0;
  let fd: number;
  try {
    fd = openSync(osPath(p.source!), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    throw new LayerWriteError(`cannot open ${p.source}: ${String(e)}`, { entry: p.header.name, cause: e });
  }
  try {
    // One buffer for every small file: tarChunks copies transient bodies at once.
    const buf = shared;
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
      if (got > size) break;
    }
    if (got !== size) throw changed(p, got);
    return buf.subarray(0, size);
  } finally {
    closeSync(fd);
  }
}

async function* readLarge(p: PlannedEntry): AsyncGenerator<Buffer> {
  const size = p.header.size ?? 0;
  const fh = await open(osPath(p.source!), constants.O_RDONLY | constants.O_NOFOLLOW).catch((e) => {
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
  const shared = Buffer.allocUnsafe(SMALL + 1);
  let reads = 0;
  for (const p of planned) {
    if (!p.source) yield { header: p.header };
    else if ((p.header.size ?? 0) > SMALL) yield { header: p.header, body: () => readLarge(p) };
    else {
      yield { header: p.header, body: readSmall(p, shared), transient: true };
      if (++reads % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    }
  }
}
