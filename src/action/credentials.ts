/**
 * Registry credentials for the build: a docker config.json with one `auths`
 * entry, in a fresh 0700 directory under RUNNER_TEMP (never inside the
 * build's rootfs or context), removed by cleanup() at the end. Every secret
 * goes through `mask` before it is written anywhere.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_REGISTRY } from '../image/reference.js';
import type { RegistryCredentials } from './build-options.js';

/** Docker's key for a registry in config.json: Docker Hub keeps its historic URL. */
export function dockerAuthKey(host: string): string {
  return host === DEFAULT_REGISTRY ? 'https://index.docker.io/v1/' : host;
}

/** config.json text for the credentials, and the secrets it contains. */
export function dockerConfigJson(creds: RegistryCredentials): { json: string; secrets: string[] } {
  const auth = Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64');
  const json = `${JSON.stringify({ auths: { [dockerAuthKey(creds.host)]: { auth } } }, null, 2)}\n`;
  return { json, secrets: [creds.password, auth] };
}

export interface DockerConfig {
  /** The directory (what DOCKER_CONFIG names). */
  dir: string;
  /** dir/config.json */
  path: string;
  /** Removes the directory; safe to call twice. */
  cleanup(): Promise<void>;
}

/** Masks the secrets, then writes config.json; the caller must call cleanup() (in a finally). */
export async function writeDockerConfig(
  creds: RegistryCredentials,
  runnerTemp: string,
  mask: (secret: string) => void,
): Promise<DockerConfig> {
  const { json, secrets } = dockerConfigJson(creds);
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
