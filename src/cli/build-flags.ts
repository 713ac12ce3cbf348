/**
 * `kiln build` flags: kaniko executor names for what Kiln supports, mapped to
 * BuildOptions. This is the only place argv meets BuildOptions.
 */
import path from 'node:path';
import { defaultCacheRepo } from '../cache/create.js';
import { type BuildOptions, DEFAULT_DOCKERFILE, defaultBuildOptions } from '../executor/options.js';
import { type FlagSpec, type FlagValue, UsageError } from './flags.js';

export const BUILD_FLAGS: readonly FlagSpec[] = [
  {
    name: 'context',
    short: 'c',
    kind: 'string',
    metavar: 'dir',
    help: 'Build context: a directory, or tar://FILE | tar://stdin (default: .)',
  },
  {
    name: 'dockerfile',
    short: 'f',
    kind: 'string',
    metavar: 'path',
    help: 'Dockerfile, relative to the context (default: Dockerfile)',
  },
  {
    name: 'destination',
    short: 'd',
    kind: 'list',
    metavar: 'ref',
    help: 'Image reference to push to; repeat for several tags',
  },
  {
    name: 'no-push',
    kind: 'bool',
    help: 'Build without pushing (write --tar-path / --oci-layout-path only)',
  },
  {
    name: 'tar-path',
    kind: 'string',
    metavar: 'file',
    aliases: ['tarPath'],
    help: 'Write the image as a docker-archive tarball',
  },
  { name: 'oci-layout-path', kind: 'string', metavar: 'dir', help: 'Write the image as an OCI image layout' },
  {
    name: 'build-arg',
    kind: 'list',
    metavar: 'KEY[=value]',
    help: 'Build argument; a bare KEY takes its value from the environment',
  },
  { name: 'target', kind: 'string', metavar: 'stage', help: 'Build this stage (default: the last)' },
  { name: 'label', kind: 'list', metavar: 'KEY=value', help: 'Label to add to the final image' },
  { name: 'digest-file', kind: 'string', metavar: 'file', help: 'Write the image digest to this file' },
  {
    name: 'image-name-with-digest-file',
    kind: 'string',
    metavar: 'file',
    help: 'Write <destination>@<digest> lines to this file',
  },
  { name: 'insecure-registry', kind: 'list', metavar: 'host', help: 'Reach this registry over plain HTTP' },
  { name: 'insecure', kind: 'bool', help: 'Push to the destination registries over plain HTTP' },
  { name: 'skip-tls-verify', kind: 'bool', help: 'Do not verify TLS certificates of any registry' },
  {
    name: 'skip-tls-verify-registry',
    kind: 'list',
    metavar: 'host',
    help: 'Do not verify the TLS certificate of this registry',
  },
  {
    name: 'registry-certificate',
    kind: 'list',
    metavar: 'host=file',
    help: 'Trust this CA certificate file for a registry',
  },
  { name: 'cache', kind: 'bool', help: 'Use and fill the layer cache' },
  { name: 'cache-repo', kind: 'string', metavar: 'repo', help: 'Registry repository for cached layers' },
  {
    name: 'cache-ttl',
    kind: 'duration',
    metavar: 'duration',
    help: 'Ignore cache entries older than this (default: 336h)',
  },
  { name: 'cache-dir', kind: 'string', metavar: 'dir', help: 'Local directory for the layer cache' },
  { name: 'cache-copy-layers', kind: 'bool', help: 'Cache COPY/ADD layers (default: true)' },
  { name: 'cache-run-layers', kind: 'bool', help: 'Cache RUN layers (default: true)' },
  { name: 'reproducible', kind: 'bool', help: 'Clamp timestamps so equal inputs give an equal digest' },
  {
    name: 'compression',
    kind: 'string',
    metavar: 'gzip|zstd',
    help: 'Compression of the layers the build makes (default: gzip)',
  },
  {
    name: 'compression-level',
    kind: 'int',
    metavar: 'n',
    help: 'Compression level: gzip 1-9 (default 6), zstd 1-19 (default 3)',
  },
  {
    name: 'custom-platform',
    kind: 'string',
    metavar: 'os/arch',
    aliases: ['platform', 'customPlatform'],
    help: 'Target platform, e.g. linux/amd64 (default: the host)',
  },
  {
    name: 'isolation',
    kind: 'string',
    metavar: 'mode',
    help: 'RUN isolation: auto, chroot, rootless, in-place (default: auto)',
  },
  {
    name: 'force',
    kind: 'bool',
    help: 'Build in place (--isolation in-place) even where Kiln sees no container: it replaces /',
  },
  {
    name: 'ignore-path',
    kind: 'list',
    metavar: 'path',
    help: 'In-place builds: leave this path alone (never extracted onto, snapshotted or cleared)',
  },
  {
    name: 'cleanup',
    kind: 'bool',
    help: "In-place builds: put back the container's own files at the end (a failed build always does)",
  },
  {
    name: 'snapshot-mode',
    kind: 'string',
    metavar: 'mode',
    aliases: ['snapshotMode'],
    help: 'Layer snapshots: auto, overlay, walk (default: auto)',
  },
  {
    name: 'workspace',
    kind: 'string',
    metavar: 'dir',
    help: 'Build workspace directory (default: a temp dir)',
  },
  { name: 'keep-workspace', kind: 'bool', help: 'Keep the workspace after the build' },
  { name: 'push-retry', kind: 'int', metavar: 'n', help: 'Attempts per registry request (default: 5)' },
  {
    name: 'verbosity',
    short: 'v',
    kind: 'string',
    metavar: 'level',
    help: 'Log level: error, warn, info, debug',
  },
  { name: 'help', short: 'h', kind: 'bool', help: 'Show this help' },
  { name: 'use-new-run', kind: 'bool', ignored: 'Kiln always snapshots only what a RUN changed' },
  { name: 'compressed-caching', kind: 'bool', ignored: 'Kiln never holds layers in memory' },
  { name: 'single-snapshot', kind: 'bool', ignored: 'not supported; each step makes its own layer' },
  { name: 'ignore-var-run', kind: 'bool', ignored: 'Kiln never captures mount points (/var/run/secrets…)' },
  { name: 'skip-unused-stages', kind: 'bool', ignored: 'unused stages are always skipped' },
  { name: 'kaniko-dir', kind: 'string', ignored: 'use --workspace' },
  { name: 'log-format', kind: 'string', ignored: 'Kiln prints plain lines' },
  { name: 'log-timestamp', kind: 'bool', ignored: 'timestamps are printed when not on a terminal' },
  { name: 'image-fs-extract-retry', kind: 'int', ignored: 'extraction does not retry' },
];

const KANIKO_SNAPSHOT_MODES = new Set(['full', 'redo', 'time']);

function str(values: Map<string, FlagValue>, name: string): string | undefined {
  return values.get(name) as string | undefined;
}
function list(values: Map<string, FlagValue>, name: string): string[] {
  return (values.get(name) as string[] | undefined) ?? [];
}
function bool(values: Map<string, FlagValue>, name: string): boolean | undefined {
  return values.get(name) as boolean | undefined;
}

/** KEY=value pairs; `bareFromEnv` lets a bare KEY take its value from env (build args). */
export function parseKeyValues(
  flag: string,
  items: readonly string[],
  env: NodeJS.ProcessEnv | undefined,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq >= 0 ? item.slice(0, eq) : item;
    if (!key) throw new UsageError(`--${flag} "${item}": the key before "=" is empty`);
    if (eq >= 0) out.set(key, item.slice(eq + 1));
    else if (env) {
      const v = env[key];
      if (v !== undefined) out.set(key, v);
    } else throw new UsageError(`--${flag} "${item}": expected KEY=value`);
  }
  return out;
}

export function buildOptionsFromFlags(
  values: Map<string, FlagValue>,
  env: NodeJS.ProcessEnv,
  cwd: string,
): BuildOptions {
  const context = contextDir(cwd, str(values, 'context') ?? '.');
  const o = applyBuildFlags(
    defaultBuildOptions(context, path.join(context, DEFAULT_DOCKERFILE)),
    values,
    env,
    cwd,
  );
  if (o.push && o.destinations.length === 0) {
    throw new UsageError('no --destination given: pass --destination <ref> to push, or --no-push');
  }
  o.sourceDateEpoch = sourceDateEpoch(env.SOURCE_DATE_EPOCH ?? o.buildArgs.get('SOURCE_DATE_EPOCH'));
  // kaniko's default: --cache without --cache-repo caches in <destination>/cache.
  if (o.cache.enabled && !o.cache.repo) o.cache.repo = defaultCacheRepo(o.destinations);
  return o;
}

/**
 * --context as kaniko takes it: a directory, or `dir://<directory>`. kaniko's
 * remote contexts (git://, gs://, s3://, https:// blob storage) are refused
 * by name: Kiln builds from a local directory. (The CLI unpacks `tar://`
 * contexts before this sees them: context-archive.ts.)
 */
export function contextDir(cwd: string, value: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return path.resolve(cwd, value);
  if (scheme === 'dir') return path.resolve(cwd, value.slice('dir://'.length) || '.');
  if (scheme === 'tar') {
    throw new UsageError(
      `--context "${value}": tar:// contexts are unpacked by the kiln command only; pass a directory here`,
    );
  }
  throw new UsageError(
    `--context "${value}": ${scheme}:// contexts are not supported; Kiln builds from a local directory ` +
      `(fetch it first, e.g. git clone or tar -x, then pass --context <dir>)`,
  );
}

/** SOURCE_DATE_EPOCH (environment or build arg, as BuildKit reads it): whole seconds, or an error. */
export function sourceDateEpoch(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (!/^\d+$/.test(text.trim())) {
    throw new UsageError(
      `SOURCE_DATE_EPOCH "${text}": expected whole seconds since 1970 (e.g. $(git log -1 --format=%ct))`,
    );
  }
  return Number(text.trim());
}

/**
 * Applies the flags that were given onto a copy of `base`: scalar flags
 * replace, list flags (--destination, --build-arg, --label, …) add. The CLI
 * applies them onto the defaults; the action onto what its inputs produced
 * (`extra_args`), so both accept the same kaniko flags with the same meaning.
 * `env` gives a bare `--build-arg KEY` its value; undefined rejects bare keys.
 * Relative paths resolve against `cwd`; --dockerfile against the context.
 */
export function applyBuildFlags(
  base: BuildOptions,
  values: Map<string, FlagValue>,
  env: NodeJS.ProcessEnv | undefined,
  cwd: string,
): BuildOptions {
  const o = structuredClone(base);
  const has = (name: string) => values.has(name);

  if (has('context')) o.context = contextDir(cwd, str(values, 'context')!);
  if (has('dockerfile')) o.dockerfile = path.resolve(o.context, str(values, 'dockerfile')!);
  o.destinations.push(...list(values, 'destination'));
  if (has('no-push')) o.push = !bool(values, 'no-push');
  if (has('tar-path')) o.tarPath = resolveOpt(cwd, str(values, 'tar-path'));
  if (has('oci-layout-path')) o.ociLayoutPath = resolveOpt(cwd, str(values, 'oci-layout-path'));
  for (const [k, v] of parseKeyValues('build-arg', list(values, 'build-arg'), env)) o.buildArgs.set(k, v);
  if (has('target')) o.target = str(values, 'target');
  for (const [k, v] of parseKeyValues('label', list(values, 'label'), undefined)) o.labels.set(k, v);
  if (has('digest-file')) o.digestFile = resolveOpt(cwd, str(values, 'digest-file'));
  if (has('image-name-with-digest-file')) {
    o.imageNameWithDigestFile = resolveOpt(cwd, str(values, 'image-name-with-digest-file'));
  }
  o.insecureRegistries.push(...list(values, 'insecure-registry'));
  if (bool(values, 'insecure')) {
    for (const d of o.destinations) o.insecureRegistries.push(d.split('/')[0]!);
  }
  if (bool(values, 'skip-tls-verify')) o.skipTlsVerifyRegistries = ['*'];
  else if (!o.skipTlsVerifyRegistries.includes('*')) {
    o.skipTlsVerifyRegistries.push(...list(values, 'skip-tls-verify-registry'));
  }
  for (const item of list(values, 'registry-certificate')) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) {
      throw new UsageError(`--registry-certificate "${item}": expected host=path/to/ca.pem`);
    }
    o.registryCertificates.set(item.slice(0, eq), path.resolve(cwd, item.slice(eq + 1)));
  }

  if (has('cache')) o.cache.enabled = bool(values, 'cache')!;
  if (has('cache-repo')) o.cache.repo = str(values, 'cache-repo');
  if (has('cache-ttl')) o.cache.ttlMs = values.get('cache-ttl') as number;
  if (has('cache-dir')) o.cache.dir = resolveOpt(cwd, str(values, 'cache-dir'));
  if (has('cache-copy-layers')) o.cache.copyLayers = bool(values, 'cache-copy-layers')!;
  if (has('cache-run-layers')) o.cache.runLayers = bool(values, 'cache-run-layers')!;

  if (has('reproducible')) o.reproducible = bool(values, 'reproducible')!;
  if (has('compression')) o.compression = oneOf('compression', str(values, 'compression')!, ['gzip', 'zstd']);
  const level = values.get('compression-level') as number | undefined;
  if (level !== undefined) {
    const max = o.compression === 'zstd' ? 19 : 9;
    if (level < 1 || level > max) {
      throw new UsageError(`--compression-level ${level}: ${o.compression} takes 1 to ${max}`);
    }
    o.compressionLevel = level;
  }
  if (has('custom-platform')) o.platform = str(values, 'custom-platform');
  if (has('isolation')) {
    o.isolation = oneOf('isolation', str(values, 'isolation')!, [
      'auto',
      'chroot',
      'rootless',
      'in-place',
      'none',
    ]);
  }
  if (has('force')) o.force = bool(values, 'force')!;
  if (has('cleanup')) o.cleanup = bool(values, 'cleanup')!;
  for (const p of list(values, 'ignore-path')) o.ignorePaths.push(path.resolve('/', p));
  if (has('snapshot-mode')) {
    const snap = str(values, 'snapshot-mode')!;
    o.snapshotMode = KANIKO_SNAPSHOT_MODES.has(snap)
      ? 'auto'
      : oneOf('snapshot-mode', snap, ['auto', 'overlay', 'walk']);
  }
  if (has('workspace')) o.workspace = resolveOpt(cwd, str(values, 'workspace'));
  if (has('keep-workspace')) o.keepWorkspace = bool(values, 'keep-workspace')!;
  const retry = values.get('push-retry') as number | undefined;
  if (retry !== undefined) {
    if (retry < 1) throw new UsageError(`--push-retry ${retry}: must be at least 1`);
    o.pushRetry = retry;
  }
  return o;
}

function resolveOpt(cwd: string, p: string | undefined): string | undefined {
  return p === undefined ? undefined : path.resolve(cwd, p);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} "${value}": expected one of ${allowed.join(', ')}`);
}
