/**
 * Registry credentials for the build: a docker config.json in a fresh 0700
 * directory under RUNNER_TEMP (never inside the build's rootfs or context),
 * removed by cleanup() at the end. It starts from the runner's own
 * config.json (so logins made earlier in the job, e.g. by
 * docker/login-action for a private base image, still count) and sets the
 * action's registry entry over it. Every secret of the action goes through
 * `mask` before it is written anywhere.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type DockerConfigFile, dockerConfigKey, normaliseRegistryKey } from '../registry/credentials.js';
import type { RegistryCredentials } from './build-options.js';

/** Docker's key for a registry in config.json: Docker Hub keeps its historic URL. */
export const dockerAuthKey = dockerConfigKey;

/** A config.json, with whatever other settings it holds (kept as they are). */
type ConfigFile = DockerConfigFile & Record<string, unknown>;

/**
 * config.json text for the credentials on top of `base` (the runner's
 * config, if any), and the secrets the action added. The action's registry
 * loses any credential helper `base` named for it: the input wins.
 */
export function dockerConfigJson(
  creds: RegistryCredentials,
  base: ConfigFile = {},
): { json: string; secrets: string[] } {
  const auth = Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64');
  const key = dockerAuthKey(creds.host);
  const same = (k: string) => normaliseRegistryKey(k) === normaliseRegistryKey(key);
  const auths = Object.fromEntries(Object.entries(base.auths ?? {}).filter(([k]) => !same(k)));
  const config: ConfigFile = { ...base, auths: { ...auths, [key]: { auth } } };
  if (base.credHelpers) {
    config.credHelpers = Object.fromEntries(Object.entries(base.credHelpers).filter(([k]) => !same(k)));
  }
  return { json: `${JSON.stringify(config, null, 2)}\n`, secrets: [creds.password, auth] };
}

/** The runner's config.json as an object; undefined with a warning when it is missing or unusable. */
async function readBaseConfig(
  file: string | undefined,
  warn: (m: string) => void,
): Promise<ConfigFile | undefined> {
  if (!file) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`not reading ${file}: ${(e as Error).message}`);
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as ConfigFile;
    warn(`not reading ${file}: not a JSON object; earlier docker logins are not used`);
  } catch (e) {
    warn(`not reading ${file}: ${(e as Error).message}; earlier docker logins are not used`);
  }
  return undefined;
}

export interface DockerConfig {
  /** The directory (what DOCKER_CONFIG names). */
  dir: string;
  /** dir/config.json */
  path: string;
  /** Removes the directory; safe to call twice. */
  cleanup(): Promise<void>;
}

export interface WriteDockerConfigOptions {
  /** The runner's config.json to start from (default: none). */
  base?: string;
  warn?: (message: string) => void;
}

/** Masks the secrets, then writes config.json; the caller must call cleanup() (in a finally). */
export async function writeDockerConfig(
  creds: RegistryCredentials,
  runnerTemp: string,
  mask: (secret: string) => void,
  opts: WriteDockerConfigOptions = {},
): Promise<DockerConfig> {
  const base = await readBaseConfig(opts.base, opts.warn ?? (() => undefined));
  const { json, secrets } = dockerConfigJson(creds, base);
  for (const s of secrets) if (s) mask(s);
  if (!runnerTemp || !path.isAbsolute(runnerTemp)) {
    throw new Error(
      `RUNNER_TEMP "${runnerTemp}" is not an absolute directory; cannot store registry credentials`,
    );
  }
  const dir = await mkdtemp(path.join(runnerTemp, 'kiln-auth-'));
  const file = path.join(dir, 'config.json');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await writeFile(file, json, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { dir, path: file, cleanup };
}
