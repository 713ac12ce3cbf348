/**
 * COPY and ADD as a build step: resolve the sources (build context, an
 * earlier stage, an image, ADD's URLs and local archives, heredocs), key
 * them for the cache, and on a miss write them into the stage's filesystem
 * and turn what was written into the step's layer.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CacheKeyBuilder } from '../../cache/key.js';
import type { ParsedDockerfile } from '../../dockerfile/dockerfile.js';
import { DockerfileError } from '../../dockerfile/errors.js';
import type { AddInstruction, CopyInstruction } from '../../dockerfile/instructions.js';
import { resolveFrom } from '../../dockerfile/stages.js';
import { resolveUser } from '../fs/user.js';
import { layerSize } from '../session.js';
import { filesystemStep, materialize, noteWritten, type StepEnv, type StepResult } from '../stage/step.js';
import { detectArchive, unpackArchive } from './add-archive.js';
import { fetchGitSource, gitSource } from './add-git.js';
import { downloadSource, isRemoteSource } from './add-remote.js';
import { type CopySource, copyIntoRootfs, parseChmod } from './copy.js';
import { type Owner, ownedLayer } from './owned-layer.js';
import { fileSha256, hashSources } from './source-hash.js';
import { SourceNotFoundError, SourceTree } from './source-tree.js';

/**
 * Where a COPY --from reads: a finished stage's filesystem or an image's.
 * The key is known at once; the tree is materialised only when a step
 * that missed the cache reads it.
 */
export interface FromSource {
  key: string;
  tree(): Promise<SourceTree>;
}

export interface FromResolver {
  stageTree(index: number): Promise<FromSource>;
  imageTree(ref: string): Promise<FromSource>;
}

/** --chown: `user[:group]`, names from the stage's /etc/passwd and /etc/group; a bare uid uses it as gid too. */
async function resolveChown(rootfs: string, spec: string): Promise<Owner> {
  if (/^\d+$/.test(spec)) return { uid: Number(spec), gid: Number(spec) };
  const u = await resolveUser(rootfs, spec);
  return { uid: u.uid, gid: u.gid };
}

function destination(env: StepEnv, dest: string): string {
  if (dest.startsWith('/')) return dest;
  const wd = env.image.config.config.WorkingDir || '/';
  const joined = path.posix.join(wd, dest);
  return dest.endsWith('/') || dest === '.' ? `${joined.replace(/\/$/, '')}/` : joined;
}

export async function copyInstruction(
  env: StepEnv,
  instr: CopyInstruction | AddInstruction,
  df: ParsedDockerfile,
  from: FromResolver,
): Promise<StepResult> {
  const { session } = env;
  const where = (msg: string) => DockerfileError.at(instr.location, msg);
  const dest = destination(env, instr.dest);
  const mode = instr.chmod === undefined ? undefined : parseChmodAt(instr.chmod, where);
  const isAdd = instr.kind === 'add';
  const fromSpec = instr.kind === 'copy' ? instr.from : undefined;

  // Sources of the context (and ADD's downloads and archives) are resolved now: the cache
  // key needs their content. COPY --from is keyed by the source's key, and its tree is only
  // read (extracted) when the step misses the cache.
  let fromSource: FromSource | undefined;
  if (fromSpec !== undefined) {
    const src = resolveFrom(df, fromSpec, instr.location);
    fromSource =
      src.kind === 'stage'
        ? await from.stageTree(src.index)
        : src.kind === 'image'
          ? await from.imageTree(src.ref)
          : undefined;
    if (!fromSource) throw where('COPY --from=scratch: the scratch image has no files');
  }

  const sources: CopySource[] = [];
  const archives: { abs: string; kind: NonNullable<Awaited<ReturnType<typeof detectArchive>>> }[] = [];
  const remote: { url: string; digest: string }[] = [];
  const contents = instr.sourceContents.map((c) => ({ name: c.path, data: c.data }));
  const resolveSources = async (tree: SourceTree) => {
    for (const pattern of instr.sources) {
      const git = isAdd ? gitSourceAt(pattern, where) : undefined;
      if (git) {
        const g = await fetchGitSource(session, git, instr as AddInstruction).catch((e: Error) => {
          throw where(`ADD ${e.message}`);
        });
        const [root] = await g.tree.match('.');
        sources.push({ tree: g.tree, match: root! });
        remote.push({ url: pattern, digest: g.key });
        continue;
      }
      if (isAdd && isRemoteSource(pattern)) {
        const dir = await session.workspace.dir('add-url');
        const d = await downloadSource(pattern, dir, (instr as AddInstruction).checksum).catch((e: Error) => {
          throw where(e.message);
        });
        const t = new SourceTree(dir, `download of ${pattern}`);
        for (const match of await t.match(d.name)) sources.push({ tree: t, match });
        remote.push({ url: pattern, digest: d.digest });
        continue;
      }
      let matches: Awaited<ReturnType<SourceTree['match']>>;
      try {
        matches = await tree.match(pattern);
      } catch (e) {
        if (e instanceof SourceNotFoundError) throw where(`${instr.kind.toUpperCase()} failed: ${e.message}`);
        throw e;
      }
      for (const match of matches) {
        const unpack = isAdd && (instr as AddInstruction).unpack !== false && match.stat.isFile();
        const kind = unpack ? await detectArchive(match.abs) : undefined;
        if (kind) archives.push({ abs: match.abs, kind });
        else sources.push({ tree, match });
      }
    }
    if (sources.length + archives.length + contents.length === 0) {
      throw where(`${instr.kind.toUpperCase()} has no source files`);
    }
  };
  if (!fromSource) await resolveSources(session.contextTree);

  const flags = [
    instr.chown ? `--chown=${instr.chown}` : '',
    instr.chmod ? `--chmod=${instr.chmod}` : '',
    fromSpec ? `--from=${fromSpec}` : '',
  ].filter(Boolean);
  const createdBy = `${instr.kind.toUpperCase()} ${[...flags, ...instr.sources, ...contents.map((c) => `<<${c.name}`), instr.dest].join(' ')}`;

  // The sources' part of the key, computed once up front (it reads the files).
  const hashStarted = performance.now();
  const sourceKey = new CacheKeyBuilder('sources');
  if (!session.cache) {
    // No cache: keys are never looked up, and hashing reads every source file.
    sourceKey.field('uncached', '');
  } else if (fromSource) {
    sourceKey.field('from', fromSource.key).list('patterns', instr.sources);
  } else {
    const memo = await session.cache?.fileDigests?.scope(session.contextTree.root);
    await hashSources(
      sourceKey,
      session.contextTree,
      sources.filter((s) => s.tree === session.contextTree).map((s) => s.match),
      memo,
    );
  }
  // (No cache: the key is never looked up, so the archives are not read for it either.)
  if (session.cache) for (const a of archives) sourceKey.field('archive', await fileSha256(a.abs));
  for (const r of remote) sourceKey.field('remote', `${r.url}\0${r.digest}`);
  for (const c of contents) sourceKey.field('content', `${c.name}\0${c.data}`);
  session.log.debug(`timing: hash ${(performance.now() - hashStarted).toFixed(0)} ms ${env.label}`);
  const keyFields = (k: CacheKeyBuilder) => {
    k.field('step', instr.kind)
      .field('dest', dest)
      .field('chown', instr.chown ?? '')
      .field('chmod', instr.chmod ?? '')
      .field('parents', String(instr.kind === 'copy' && instr.parents))
      .list('exclude', instr.exclude)
      .include('sources', sourceKey);
  };

  const produce = async () => {
    if (fromSource) await resolveSources(await fromSource.tree());
    await materialize(env);
    const rootfs = env.root.dir;
    const refuse = (rel: string) => env.root.refuseWrite(rel);
    const copyStarted = performance.now();
    // Context files become 0:0; files from a stage or an image keep their owners; --chown wins.
    const owner: Owner | 'preserve' | undefined = instr.chown
      ? await resolveChown(rootfs, instr.chown)
      : fromSpec !== undefined
        ? 'preserve'
        : undefined;
    const written = await copyIntoRootfs({
      rootfs,
      dest,
      sources,
      contents,
      owner,
      mode,
      exclude: instr.exclude,
      parents: instr.kind === 'copy' && instr.parents,
      refuse,
      warn: (m) => session.log.warn(`${env.label} ${instr.kind.toUpperCase()}: ${m}`),
    });
    for (const a of archives) {
      const staging = await session.workspace.dir('add-unpack');
      await unpackArchive(a.abs, a.kind, staging, session.xattrs);
      const t = new SourceTree(staging, `archive ${path.basename(a.abs)}`);
      const [root] = await t.match('.');
      const into = dest.endsWith('/') ? dest : `${dest}/`;
      const unpacked = await copyIntoRootfs({
        rootfs,
        dest: into,
        sources: [{ tree: t, match: root! }],
        contents: [],
        // What ADD extracts from a local archive keeps the tar's owners, even with --chown
        // (which still owns the directories ADD creates for it).
        owner: 'preserve',
        ...(owner && owner !== 'preserve' ? { createdDirOwner: owner } : {}),
        mode,
        exclude: [],
        parents: false,
        refuse,
      });
      for (const [p, o] of unpacked) written.set(p, o);
      await fs.rm(staging, { recursive: true, force: true });
    }
    session.log.debug(
      `timing: copy ${(performance.now() - copyStarted).toFixed(0)} ms ${env.label} (${written.size} paths)`,
    );
    if (written.size === 0) return undefined;
    const layerStarted = performance.now();
    const paths = [...written.keys()].sort();
    const layer = await session.storeLayer(
      ownedLayer(
        rootfs,
        paths.map((p) => [p, written.get(p)!] as [string, Owner]),
        { clampMtime: session.clampMtime, xattrs: session.xattrs },
      ),
      env.layerCompression,
    );
    session.log.debug(
      `timing: layer ${(performance.now() - layerStarted).toFixed(0)} ms ${env.label} (${layerSize(layer)})`,
    );
    await noteWritten(env, paths);
    return layer;
  };
  return filesystemStep(env, {
    createdBy,
    fields: keyFields,
    cacheable: session.options.cache.copyLayers,
    produce,
  });
}

/** The git source a pattern of ADD names (an error at the line when it is a malformed one). */
function gitSourceAt(pattern: string, where: (m: string) => Error): ReturnType<typeof gitSource> {
  try {
    return gitSource(pattern);
  } catch (e) {
    throw where(`ADD ${pattern}: ${(e as Error).message}`);
  }
}

function parseChmodAt(text: string, where: (m: string) => Error): number {
  try {
    return parseChmod(text);
  } catch (e) {
    throw where((e as Error).message);
  }
}
