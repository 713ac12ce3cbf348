/**
 * Layers of steps Kiln writes itself (COPY/ADD, WORKDIR) carry the owners
 * the Dockerfile asks for, whoever Kiln runs as: each written path (the
 * directories the step created among them) with its owner. As root, the
 * parent directories that already existed go in too, with their metadata
 * from the stage filesystem, as BuildKit's diff has them. Without root the
 * stage filesystem cannot hold the image's owners (chown is refused), so
 * those parents are left out rather than written with a wrong owner: the
 * layer still applies the same way, only their mtimes stay as they were.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { LayerEntry } from '../../archive/layer-plan.js';
import { writeLayerFromEntries } from '../../archive/layer-writer.js';
import type { XattrAccess } from '../../archive/xattr.js';
import { osPath } from '../../fs/byte-names.js';

export interface Owner {
  uid: number;
  gid: number;
}

export function canChown(): boolean {
  return process.geteuid?.() === 0;
}

/** The tar of `written` (rootfs-relative paths) with their owners, parents included. */
export function ownedLayer(
  rootfs: string,
  written: Iterable<[string, Owner]>,
  opts: { clampMtime?: number; xattrs?: XattrAccess },
): Readable {
  const real = canChown();
  const entries: LayerEntry[] = [];
  const listed = new Set<string>();
  for (const [p, o] of written) {
    entries.push({ kind: 'add', path: p, source: path.join(rootfs, p), uid: o.uid, gid: o.gid });
    listed.add(p);
  }
  const parents = new Set<string>();
  for (const p of real ? listed : []) {
    for (let d = path.posix.dirname(p); d !== '.' && d !== '/' && !listed.has(d); d = path.posix.dirname(d)) {
      if (parents.has(d)) break;
      parents.add(d);
    }
  }
  for (const d of parents) {
    const st = fs.lstatSync(osPath(path.join(rootfs, d)));
    entries.push({
      kind: 'dir',
      path: d,
      uid: st.uid,
      gid: st.gid,
      mode: st.mode & 0o7777,
      mtime: Math.floor(st.mtimeMs / 1000),
    });
  }
  return writeLayerFromEntries(
    entries,
    real ? { ...opts, parentRoot: rootfs } : { ...opts, omitParents: true },
  );
}
