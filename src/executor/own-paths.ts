/**
 * Kiln's own files are never part of the build context: a cache directory,
 * an output (OCI layout, tarball, digest files), the workspace or the
 * credentials file that lie inside the context are left out, as if
 * .dockerignore listed them last. Otherwise `COPY . /src` would copy the
 * cache into the image, and every run would miss the cache it just filled.
 */
import path from 'node:path';
import { type Dockerignore, IgnoreMatcher } from '../dockerfile/dockerignore.js';
import type { Logger } from '../log.js';
import type { BuildOptions } from './options.js';

/** Kiln's paths that lie inside the context, context-relative with `/`, each with what it is. */
export function ownPathsInContext(o: BuildOptions): { rel: string; what: string }[] {
  const candidates: [string | undefined, string][] = [
    [o.cache.dir, 'the layer cache'],
    [o.ociLayoutPath, 'the OCI layout output'],
    [o.tarPath, 'the tarball output'],
    [o.digestFile, 'the digest file'],
    [o.imageNameWithDigestFile, 'the image name file'],
    [o.imageNameTagWithDigestFile, 'the image name file'],
    [o.workspace, 'the workspace'],
    [o.dockerConfig, 'the registry credentials'],
  ];
  const out: { rel: string; what: string }[] = [];
  for (const [p, what] of candidates) {
    if (!p) continue;
    const rel = path.relative(o.context, path.resolve(o.context, p));
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) continue;
    out.push({ rel: rel.split(path.sep).join('/'), what });
  }
  return out;
}

/** A .dockerignore pattern that matches `rel` literally. */
function literal(rel: string): string {
  return rel.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

/** The context's .dockerignore with Kiln's own paths excluded after every user pattern. */
export function excludingOwnPaths(ignore: Dockerignore, o: BuildOptions, log: Logger): Dockerignore {
  const own = ownPathsInContext(o);
  if (own.length === 0) return ignore;
  for (const p of own) log.info(`context: leaving out ${p.rel} (${p.what})`);
  const patterns = [...ignore.matcher.patterns, ...own.map((p) => ({ pattern: literal(p.rel), line: 0 }))];
  return { ...ignore, matcher: new IgnoreMatcher(patterns, ignore.matcher.file) };
}
