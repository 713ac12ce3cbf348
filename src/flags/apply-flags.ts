/**
 * The values of the executor flags (executor-flags.ts) mapped onto
 * BuildOptions. This is the only place flags meet BuildOptions: the CLI
 * applies them onto the defaults, the action (`extra_args`) onto what its
 * inputs produced.
 */
import path from 'node:path';
import { type BuildOptions, DEFAULT_DOCKERFILE } from '../executor/options.js';
import { DEFAULT_STORE_MAX, storeMaxBytes } from '../executor/store/location.js';
import { parsePlatform } from '../image/platform.js';
import { parseAllowFlag, parseSecretFlag, parseSshFlag } from './mount-flags.js';
import { type FlagValue, UsageError } from './parser.js';

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
  const git = scheme === 'git' || scheme === 'https' || scheme === 'http' || scheme === 'ssh';
  throw new UsageError(
    git
      ? `--context "${value}": git contexts are fetched by the kiln command (kiln build --context) and the action's context input, not here`
      : `--context "${value}": ${scheme}:// contexts are not supported; Kiln builds from a local directory ` +
          `(fetch it first, e.g. tar -x, then pass --context <dir>)`,
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

  if (has('context') || has('context-sub-path')) {
    const context = has('context') ? contextDir(cwd, str(values, 'context')!) : base.context;
    o.context = withSubPath(context, str(values, 'context-sub-path'));
    // The default Dockerfile follows the context.
    if (base.dockerfile === path.join(base.context, DEFAULT_DOCKERFILE)) {
      o.dockerfile = path.join(o.context, DEFAULT_DOCKERFILE);
    }
  }
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
  if (has('image-name-tag-with-digest-file')) {
    o.imageNameTagWithDigestFile = resolveOpt(cwd, str(values, 'image-name-tag-with-digest-file'));
  }
  if (has('skip-push-permission-check'))
    o.skipPushPermissionCheck = bool(values, 'skip-push-permission-check');
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
  if (has('cache-repo')) {
    const repo = str(values, 'cache-repo')!;
    if (repo.startsWith('oci:')) {
      throw new UsageError(
        `--cache-repo "${repo}": OCI layout caches are not supported; use --cache-dir <dir>`,
      );
    }
    o.cache.repo = repo;
  }
  if (has('no-push-cache')) o.cache.mode = bool(values, 'no-push-cache') ? 'read-only' : 'read-write';
  if (has('cache-ttl')) o.cache.ttlMs = values.get('cache-ttl') as number;
  if (has('cache-dir')) {
    o.cache.dir = resolveOpt(cwd, str(values, 'cache-dir'));
    o.cacheMounts.dir = path.join(o.cache.dir!, 'cache-mounts');
  }
  if (has('cache-copy-layers')) o.cache.copyLayers = bool(values, 'cache-copy-layers')!;
  if (has('cache-run-layers')) o.cache.runLayers = bool(values, 'cache-run-layers')!;

  if (has('reproducible')) o.reproducible = bool(values, 'reproducible')!;
  for (const item of list(values, 'secret')) {
    const secret = parseSecretFlag(item, env ?? process.env);
    if (secret.file !== undefined) secret.file = path.resolve(cwd, secret.file);
    o.secrets = [...o.secrets.filter((x) => x.id !== secret.id), secret];
  }
  for (const item of list(values, 'ssh')) {
    const ssh = parseSshFlag(item);
    o.ssh = [
      ...o.ssh.filter((x) => x.id !== ssh.id),
      { ...ssh, paths: ssh.paths.map((p) => path.resolve(cwd, p)) },
    ];
  }
  for (const item of list(values, 'allow'))
    for (const e of parseAllowFlag(item)) if (!o.allow.includes(e)) o.allow.push(e);
  if (has('network')) o.network = oneOf('network', str(values, 'network')!, ['default', 'none', 'host']);
  if (has('compression')) o.compression = oneOf('compression', str(values, 'compression')!, ['gzip', 'zstd']);
  const level = values.get('compression-level') as number | undefined;
  if (level !== undefined) {
    const max = o.compression === 'zstd' ? 19 : 9;
    if (level < 1 || level > max) {
      throw new UsageError(`--compression-level ${level}: ${o.compression} takes 1 to ${max}`);
    }
    o.compressionLevel = level;
  }
  const custom = str(values, 'custom-platform');
  if (custom?.includes(',')) {
    throw new UsageError(
      `--custom-platform "${custom}": kaniko's flag takes one platform; use --platform ${custom} for several`,
    );
  }
  const platforms = [...(custom === undefined ? [] : [custom]), ...list(values, 'platform')];
  for (const text of platforms.flatMap((p) => p.split(','))) {
    const item = text.trim();
    try {
      parsePlatform(item);
    } catch (e) {
      throw new UsageError(`--platform: ${(e as Error).message}`);
    }
    if (!o.platforms.includes(item)) o.platforms.push(item);
  }
  if (has('push-by-digest')) o.pushByDigest = bool(values, 'push-by-digest')!;
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
  if (has('store')) {
    o.store = {
      dir: path.resolve(cwd, str(values, 'store')!),
      maxBytes: o.store?.maxBytes ?? DEFAULT_STORE_MAX,
    };
  }
  if (bool(values, 'no-store')) {
    if (has('store')) throw new UsageError('--store and --no-store: give one of them');
    o.store = undefined;
  }
  const max = storeMax(values);
  if (max !== undefined && o.store) o.store.maxBytes = max;
  if (has('workspace')) o.workspace = resolveOpt(cwd, str(values, 'workspace'));
  if (has('keep-workspace')) o.keepWorkspace = bool(values, 'keep-workspace')!;
  if (has('ignore-syntax')) o.ignoreSyntax = bool(values, 'ignore-syntax')!;
  const retry = values.get('push-retry') as number | undefined;
  if (retry !== undefined) {
    if (retry < 1) throw new UsageError(`--push-retry ${retry}: must be at least 1`);
    o.pushRetry = retry;
  }
  return o;
}

/** --store-max in bytes, if given. */
export function storeMax(values: Map<string, FlagValue>): number | undefined {
  const text = str(values, 'store-max');
  if (text === undefined) return undefined;
  const n = storeMaxBytes(text);
  if (typeof n === 'string') throw new UsageError(`--store-max ${n}`);
  return n;
}

/** kaniko's --context-sub-path: a directory inside the context. */
function withSubPath(context: string, sub: string | undefined): string {
  if (!sub) return context;
  const dir = path.resolve(context, sub);
  const rel = path.relative(context, dir);
  if (path.isAbsolute(sub) || rel === '..' || rel.startsWith(`..${path.sep}`)) {
    throw new UsageError(`--context-sub-path "${sub}": must name a directory inside the context`);
  }
  return dir;
}

function resolveOpt(cwd: string, p: string | undefined): string | undefined {
  return p === undefined ? undefined : path.resolve(cwd, p);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} "${value}": expected one of ${allowed.join(', ')}`);
}
