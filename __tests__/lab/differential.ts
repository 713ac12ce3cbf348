/**
 * Differential builds: one Dockerfile case built by a peer (buildah `bud
 * --isolation chroot`, or BuildKit by hand) and by Kiln's build(), both
 * unpacked with umoci and compared: file trees (see tree-compare.ts) and
 * config fields (see config-compare.ts), after the intended differences
 * (intended-differences.ts). A lab holds one registry with the bases and
 * one buildah storage; share it per test file.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import type { ImageConfig, ImageIndex, ImageManifest } from '../../src/image/manifest.js';
import { MediaType } from '../../src/image/media-types.js';
import { REF_NAME } from '../../src/image/oci-layout.js';
import { streamLogger } from '../../src/log.js';
import { type ComparedConfig, compareConfigs, comparedConfig, sameValue } from './config-compare.js';
import { type DifferentialLab, fillPlaceholders, runCommand } from './differential-lab.js';
import { type FileTree, writeFileTree } from './file-tree.js';
import { type DifferenceId, type DifferenceUse, normalizeReference } from './intended-differences.js';
import { compareTrees, describeEntry, snapshotTree, type Tree, type TreeEntry } from './tree-compare.js';

export { type DifferentialLab, runCommand, startLab } from './differential-lab.js';

/** Binaries a differential suite needs (besides root). */
export const DIFFERENTIAL_BINARIES = [
  'buildah',
  'umoci',
  'skopeo',
  'docker-registry',
  'tar',
  'xz',
  'bzip2',
  'getfattr',
  'setfattr',
];

/** What a case expects of a path in the final image (checked on both sides); null: absent. */
export type PathExpectation = null | (Partial<Omit<TreeEntry, 'path'>> & { content?: string });

export interface DiffCase {
  /** Kebab-case id; also the image name. */
  name: string;
  /** What it covers, in a few words. */
  covers: string;
  /** Dockerfile text; `{{busybox}}`, `{{layered}}`, `{{http}}` become the lab's (see differential-lab.ts). */
  dockerfile: string;
  /** Build context (the Dockerfile is written into it as `Dockerfile`). */
  context?: FileTree;
  buildArgs?: Record<string, string>;
  target?: string;
  /** Intended differences beyond the ones applied to every case. */
  differences?: DifferenceUse[];
  /** With a `peers-lack-…` difference: what the peers build instead (same placeholders). */
  referenceDockerfile?: string;
  /** Checks on both images that the case tests what it says. */
  expect?: Record<string, PathExpectation>;
  expectConfig?: Partial<ComparedConfig>;
  /** Layers of the final manifest, as BuildKit makes them (checked on Kiln's image). */
  layers?: number;
  /** Build secrets, id → content (`--secret id=ID,src=FILE` for the peers). */
  secrets?: Record<string, string>;
}

export type Builder = 'buildah' | 'buildkit' | 'kiln' | 'kiln-in-place';

export interface BuiltImage {
  builder: Builder;
  tree: Tree;
  config: ComparedConfig;
  rawConfig: ImageConfig;
  /** Layers in the manifest. */
  layers: number;
  /** When the build started, whole seconds. */
  startedAt: number;
  log: string;
}

export interface PreparedCase {
  case: DiffCase;
  dir: string;
  context: string;
  dockerfile: string;
  /** The Dockerfile the peers build (differs only with a `peers-lack-…` difference). */
  referenceDockerfile: string;
  buildArgs: Record<string, string>;
  /** The case's secrets written to files outside the context. */
  secrets: { id: string; file: string }[];
}

/** `--secret id=…,src=…` for buildah and docker. */
export function secretArgs(p: PreparedCase): string[] {
  return p.secrets.flatMap((s) => ['--secret', `id=${s.id},src=${s.file}`]);
}

/** Writes the case's context and Dockerfile(s) under the lab. */
export async function prepareCase(lab: DifferentialLab, c: DiffCase): Promise<PreparedCase> {
  const dir = join(lab.work, 'cases', c.name);
  await rm(dir, { recursive: true, force: true });
  const context = join(dir, 'context');
  const dockerfile = join(context, 'Dockerfile');
  await writeFileTree(context, { ...c.context, Dockerfile: fillPlaceholders(c.dockerfile, lab) });
  let referenceDockerfile = dockerfile;
  if (c.referenceDockerfile !== undefined) {
    if (!c.differences?.some((d) => d.id.startsWith('peers-lack-')))
      throw new Error(`${c.name}: referenceDockerfile is only for the peers-lack-… differences`);
    referenceDockerfile = join(dir, 'Dockerfile.reference');
    await writeFile(referenceDockerfile, fillPlaceholders(c.referenceDockerfile, lab));
  }
  const buildArgs = Object.fromEntries(
    Object.entries(c.buildArgs ?? {}).map(([k, v]) => [k, fillPlaceholders(v, lab)]),
  );
  const secrets: PreparedCase['secrets'] = [];
  for (const [id, content] of Object.entries(c.secrets ?? {})) {
    await mkdir(join(dir, 'secrets'), { recursive: true });
    const file = join(dir, 'secrets', id);
    await writeFile(file, content, { mode: 0o600 });
    secrets.push({ id, file });
  }
  return { case: c, dir, context, dockerfile, referenceDockerfile, buildArgs, secrets };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Reads an image from an OCI layout: unpacks it with umoci, snapshots the rootfs. */
async function fromLayout(
  layout: string,
  tag: string,
  bundle: string,
  builder: Builder,
  startedAt: number,
  log: string,
  rawConfig?: ImageConfig,
): Promise<BuiltImage> {
  const blob = (d: string) => readFile(join(layout, 'blobs', ...d.split(':')), 'utf8');
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as ImageIndex;
  const desc = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  if (!desc) throw new Error(`${layout}: no manifest tagged ${tag} in index.json`);
  const manifest = JSON.parse(await blob(desc.digest)) as ImageManifest;
  const config = rawConfig ?? (JSON.parse(await blob(manifest.config.digest)) as ImageConfig);
  let unpackFrom = `${layout}:${tag}`;
  if ((manifest.mediaType ?? desc.mediaType) === MediaType.DockerManifest) {
    // umoci unpacks OCI manifests only: convert a Docker one (the config was read above, before conversion).
    unpackFrom = `${layout}-as-oci:${tag}`;
    await runCommand('skopeo', [
      'copy',
      '-q',
      '--format',
      'oci',
      `oci:${layout}:${tag}`,
      `oci:${unpackFrom}`,
    ]);
  }
  await runCommand('umoci', ['unpack', '--image', unpackFrom, bundle]);
  const tree = await snapshotTree(join(bundle, 'rootfs'));
  await rm(bundle, { recursive: true, force: true });
  return {
    builder,
    tree,
    config: comparedConfig(config),
    rawConfig: config,
    layers: manifest.layers.length,
    startedAt,
    log,
  };
}

/** A peer's image pushed to the lab registry: the raw config from there (Docker fields intact), the tree via skopeo + umoci. */
export async function fromRegistry(
  ref: string,
  p: PreparedCase,
  builder: Builder,
  startedAt: number,
  log: string,
): Promise<BuiltImage> {
  const layout = join(p.dir, `${builder}-oci`);
  await runCommand('skopeo', [
    'copy',
    '-q',
    '--src-tls-verify=false',
    `docker://${ref}`,
    `oci:${layout}:${builder}`,
  ]);
  const raw = JSON.parse(
    await runCommand('skopeo', ['inspect', '--tls-verify=false', '--config', '--raw', `docker://${ref}`]),
  ) as ImageConfig;
  return fromLayout(layout, builder, join(p.dir, `${builder}-bundle`), builder, startedAt, log, raw);
}

/** Builds the case with `buildah bud --isolation chroot` (own vfs storage under the lab) and pushes it to the lab registry. */
export async function buildWithBuildah(lab: DifferentialLab, p: PreparedCase): Promise<BuiltImage> {
  const store = [
    '--root',
    join(lab.work, 'buildah', 'root'),
    '--runroot',
    join(lab.work, 'buildah', 'run'),
    '--storage-driver',
    'vfs',
  ];
  const tmp = join(lab.work, 'buildah', 'tmp');
  await mkdir(tmp, { recursive: true });
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp };
  const local = `localhost/kiln-diff/${p.case.name}`;
  const ref = `${lab.registry.host}/peer/${p.case.name}:buildah`;
  const args = [
    ...store,
    'bud',
    '--format',
    'docker',
    '--identity-label=false',
    '--isolation',
    'chroot',
    '--layers=false',
    '--tls-verify=false',
    '-f',
    p.referenceDockerfile,
    '-t',
    local,
  ];
  for (const [k, v] of Object.entries(p.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  if (p.case.target) args.push('--target', p.case.target);
  args.push(...secretArgs(p), p.context);
  const startedAt = nowSeconds();
  const log = await runCommand('buildah', args, { env });
  await runCommand('buildah', [...store, 'push', '--tls-verify=false', local, `docker://${ref}`], { env });
  await runCommand('buildah', [...store, 'rmi', local], { env });
  return fromRegistry(ref, p, 'buildah', startedAt, log);
}

/** Builds the case with Kiln's build() in-process, into an OCI layout. */
export async function buildWithKiln(lab: DifferentialLab, p: PreparedCase): Promise<BuiltImage> {
  const layout = join(p.dir, 'kiln-oci');
  const workspace = join(p.dir, 'kiln-workspace');
  await mkdir(workspace, { recursive: true });
  const options = defaultBuildOptions(p.context, p.dockerfile);
  options.push = false;
  options.ociLayoutPath = layout;
  options.insecureRegistries = [lab.registry.host];
  options.buildArgs = new Map(Object.entries(p.buildArgs));
  options.target = p.case.target;
  options.workspace = workspace;
  options.secrets = p.secrets.map((s) => ({ id: s.id, file: s.file }));
  // One snapshot store per lab: later cases mount the bases the first ones extracted.
  options.store = { dir: join(lab.work, 'store'), maxBytes: 4 * 1024 ** 3 };
  const lines: string[] = [];
  const logger = streamLogger({ write: (l) => lines.push(l) });
  const startedAt = nowSeconds();
  try {
    await build(options, logger);
  } catch (e) {
    const tail = lines.slice(-30).join('\n');
    throw new Error(
      `Kiln's build() failed: ${(e as Error).message}${tail ? `\nlast log lines:\n${tail}` : ''}`,
    );
  }
  return imageFromLayout(layout, p, 'kiln', startedAt, lines.join('\n'));
}

/** An image a builder wrote to an OCI layout (its tagged or only manifest), unpacked and snapshotted. */
export async function imageFromLayout(
  layout: string,
  p: PreparedCase,
  builder: Builder,
  startedAt: number,
  log = '',
): Promise<BuiltImage> {
  const tag = await ensureTag(layout);
  return fromLayout(layout, tag, join(p.dir, `${builder}-bundle`), builder, startedAt, log);
}

/** umoci needs a ref name: use the layout's, or give its only manifest one. */
async function ensureTag(layout: string): Promise<string> {
  const path = join(layout, 'index.json');
  const index = JSON.parse(await readFile(path, 'utf8')) as ImageIndex;
  if (index.manifests.length === 0) throw new Error(`${layout}: index.json lists no manifest`);
  const named = index.manifests.find((m) => m.annotations?.[REF_NAME]);
  if (named) return named.annotations![REF_NAME]!;
  const first = index.manifests[0]!;
  first.annotations = { ...first.annotations, [REF_NAME]: 'kiln-diff' };
  await writeFile(path, JSON.stringify(index));
  return 'kiln-diff';
}

function checkExpectations(img: BuiltImage, c: DiffCase): string[] {
  const out: string[] = [];
  for (const [path, want] of Object.entries(c.expect ?? {})) {
    const got = img.tree.get(path);
    if (want === null) {
      if (got) out.push(`${path} should be absent, is ${describeEntry(got)}`);
      continue;
    }
    if (!got) {
      out.push(`${path} should exist`);
      continue;
    }
    const { content, ...fields } = want;
    for (const [k, v] of Object.entries(fields)) {
      const actual = got[k as keyof TreeEntry];
      if (!sameValue(actual, v)) {
        const show = (x: unknown) =>
          k === 'mode' && typeof x === 'number' ? x.toString(8) : JSON.stringify(x);
        out.push(`${path}: ${k} should be ${show(v)}, is ${show(actual)}`);
      }
    }
    if (content !== undefined) {
      if (got.sha256 !== createHash('sha256').update(content).digest('hex'))
        out.push(`${path}: content should be ${JSON.stringify(content)}`);
    }
  }
  const cfg = img.config as Record<string, unknown>;
  for (const [k, v] of Object.entries(c.expectConfig ?? {})) {
    if (!sameValue(cfg[k], v))
      out.push(`config ${k} should be ${JSON.stringify(v)}, is ${JSON.stringify(cfg[k]) ?? 'unset'}`);
  }
  return out;
}

/** Every history entry without empty_layer has a layer, and the other way round. */
function historyProblems(img: BuiltImage): string[] {
  const history = img.rawConfig.history ?? [];
  const nonEmpty = history.filter((h) => !h.empty_layer).length;
  const diffIds = img.rawConfig.rootfs?.diff_ids?.length ?? 0;
  const out: string[] = [];
  if (history.length && nonEmpty !== img.layers)
    out.push(`history has ${nonEmpty} non-empty entries for ${img.layers} layers`);
  if (diffIds !== img.layers) out.push(`config has ${diffIds} diff_ids for ${img.layers} layers`);
  return out;
}

/** Problems of one image on its own: the case's expectations and a consistent history. */
export function checkImage(img: BuiltImage, c: DiffCase): string[] {
  const out = [...checkExpectations(img, c), ...historyProblems(img)];
  if (img.builder !== 'buildah' && c.layers !== undefined && img.layers !== c.layers)
    out.push(`${img.layers} layers, BuildKit makes ${c.layers}`);
  return out.map((l) => `${img.builder}: ${l}`);
}

export interface Comparison {
  /** Intended differences applied to the reference. */
  applied: DifferenceId[];
  /** Readable differences; empty when the images match. */
  lines: string[];
}

/** The reference as Kiln should build it: a copy with the intended differences applied. */
export function normalizedReference(
  reference: BuiltImage,
  c: DiffCase,
): { image: BuiltImage; applied: DifferenceId[] } {
  const tree: Tree = new Map([...reference.tree].map(([k, v]) => [k, structuredClone(v)]));
  const config = structuredClone(reference.config);
  const applied = normalizeReference(tree, config, c.differences);
  return { image: { ...reference, tree, config }, applied };
}

/** Compares `actual` with the reference after the intended differences. */
export function compareImages(reference: BuiltImage, actual: BuiltImage, c: DiffCase): Comparison {
  const { image: ref, applied } = normalizedReference(reference, c);
  const names = { expected: reference.builder, actual: actual.builder };
  const lines = [
    ...checkImage(actual, c),
    ...compareConfigs(ref.config, actual.config, names),
    ...compareTrees(ref.tree, actual.tree, { preservedBefore: reference.startedAt }, names),
  ];
  return { applied, lines };
}

/** A failure message: what differs, capped, with what was normalized. */
export function formatComparison(
  c: DiffCase,
  reference: Builder,
  actual: Builder,
  cmp: Comparison,
  max = 80,
): string {
  const shown = cmp.lines.slice(0, max);
  const more = cmp.lines.length > max ? [`… and ${cmp.lines.length - max} more`] : [];
  return [
    `${actual}'s image differs from ${reference}'s for case "${c.name}" (${c.covers});`,
    `intended differences applied to ${reference}: ${cmp.applied.join(', ') || 'none'}`,
    ...shown.map((l) => `  ${l}`),
    ...more,
  ].join('\n');
}
