/**
 * Registry credentials: Docker's config.json (`auths` with `auth` base64 or
 * `username`/`password`, `identitytoken`, `registrytoken`; `credHelpers` and
 * `credsStore` through `docker-credential-<name> get`), explicit ones (the
 * action's username/password inputs), and a chain of both.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegistryError } from './errors.js';

export type Credential =
  | { kind: 'basic'; username: string; password: string }
  /** An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user). */
  | { kind: 'identity-token'; token: string; username?: string }
  /** A bearer token sent as is (`registrytoken`). */
  | { kind: 'registry-token'; token: string };

/** Credentials for a registry host (as in a Reference: `ghcr.io`, `localhost:5000`, `docker.io`). */
export type CredentialProvider = (registry: string) => Promise<Credential | undefined>;

export const anonymous: CredentialProvider = async () => undefined;

/** Fixed credentials per registry host. */
export function staticCredentials(map: Record<string, Credential>): CredentialProvider {
  const normalised = new Map(Object.entries(map).map(([k, v]) => [normaliseRegistryKey(k), v]));
  return async (registry) => normalised.get(normaliseRegistryKey(registry));
}

/** The first provider that knows the registry wins. */
export function chainCredentials(...providers: CredentialProvider[]): CredentialProvider {
  return async (registry) => {
    for (const p of providers) {
      const c = await p(registry);
      if (c) return c;
    }
    return undefined;
  };
}

const DOCKER_HUB_ALIASES = [
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
];

/** `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/x` → `host:5000`. */
export function normaliseRegistryKey(key: string): string {
  let k = key.trim().toLowerCase();
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  return DOCKER_HUB_ALIASES.includes(k) ? 'docker.io' : k;
}

/** A registry's key in config.json, and what credential helpers are asked for: Docker Hub's historic URL, else the host. */
export function dockerConfigKey(registry: string): string {
  return normaliseRegistryKey(registry) === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

export interface HelperResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker-credential-<name> get` with the server URL on stdin. */
export type HelperRunner = (name: string, serverUrl: string, env: NodeJS.ProcessEnv) => Promise<HelperResult>;

/** Environment variables a credential helper may need; everything else is withheld. */
const HELPER_ENV =
  /^(PATH|HOME|USER|LOGNAME|SHELL|TMPDIR|LANG|LC_[A-Z]+|XDG_[A-Z_]+|DOCKER_CONFIG|(HTTPS?|NO)_PROXY|(https?|no)_proxy|AWS_[A-Z_]+|GOOGLE_[A-Z_]+|CLOUDSDK_[A-Z_]+|AZURE_[A-Z_]+|DBUS_SESSION_BUS_ADDRESS)$/;

/** The clean environment a helper is spawned with (no INPUT_*, GITHUB_TOKEN, …). */
export function helperEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && HELPER_ENV.test(k)) out[k] = v;
  return out;
}

export const spawnHelper: HelperRunner = (name, serverUrl, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${name}`, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on('error', () => {}); // a helper that does not read stdin
    child.stdin.end(serverUrl);
  });

export interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface DockerConfigOptions {
  /**
   * An explicit config.json; default $DOCKER_CONFIG/config.json, else
   * ~/.docker/config.json, else (when only it exists) kaniko's
   * /kaniko/.docker/config.json, where kaniko users' CI scripts write it.
   */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** kaniko's config.json (tests point it elsewhere). */
  kanikoConfig?: string;
  runHelper?: HelperRunner;
}

export const KANIKO_DOCKER_CONFIG = '/kaniko/.docker/config.json';

/** Where config.json is looked for. */
export function dockerConfigPath(opts: DockerConfigOptions = {}): string {
  if (opts.configPath) return opts.configPath;
  const env = opts.env ?? process.env;
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  const home = join(opts.homeDir ?? homedir(), '.docker', 'config.json');
  const kaniko = opts.kanikoConfig ?? KANIKO_DOCKER_CONFIG;
  return !existsSync(home) && existsSync(kaniko) ? kaniko : home;
}

/** Credentials from Docker's config.json and its credential helpers. A missing file means anonymous. */
export function dockerConfigCredentials(opts: DockerConfigOptions = {}): CredentialProvider {
  const path = dockerConfigPath(opts);
  const env = opts.env ?? process.env;
  const runHelper = opts.runHelper ?? spawnHelper;
  let loaded: Promise<DockerConfigFile | undefined> | undefined;
  const load = () => {
    loaded ??= readFile(path, 'utf8').then(
      (text) => {
        try {
          return JSON.parse(text) as DockerConfigFile;
        } catch (e) {
          throw credentialError(
            '',
            `${path} is not valid JSON (${(e as Error).message})`,
            'Fix or remove the file',
          );
        }
      },
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw credentialError('', `cannot read ${path}: ${e.message}`, undefined);
      },
    );
    return loaded;
  };

  return async (registry) => {
    const config = await load();
    if (!config) return undefined;
    const key = normaliseRegistryKey(registry);
    const helper =
      Object.entries(config.credHelpers ?? {}).find(([k]) => normaliseRegistryKey(k) === key)?.[1] ??
      config.credsStore;
    if (helper) {
      const fromHelper = await askHelper(runHelper, helper, registry, env);
      if (fromHelper) return fromHelper;
    }
    const entry = Object.entries(config.auths ?? {}).find(([k]) => normaliseRegistryKey(k) === key)?.[1];
    if (!entry) return undefined;
    if (entry.identitytoken) return { kind: 'identity-token', token: entry.identitytoken };
    if (entry.registrytoken) return { kind: 'registry-token', token: entry.registrytoken };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) {
        throw credentialError(
          registry,
          `the "auth" entry for ${registry} in ${path} is not base64 of user:password`,
          undefined,
        );
      }
      return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username && entry.password) {
      return { kind: 'basic', username: entry.username, password: entry.password };
    }
    return undefined;
  };
}

async function askHelper(
  run: HelperRunner,
  name: string,
  registry: string,
  env: NodeJS.ProcessEnv,
): Promise<Credential | undefined> {
  let result: HelperResult;
  try {
    result = await run(name, dockerConfigKey(registry), helperEnv(env));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw credentialError(
      registry,
      err.code === 'ENOENT'
        ? `credential helper docker-credential-${name} is not on PATH`
        : `credential helper docker-credential-${name} failed: ${err.message}`,
      `Install docker-credential-${name}, or remove it from credHelpers/credsStore in config.json`,
    );
  }
  if (result.code !== 0) {
    if (/credentials not found/i.test(result.stdout + result.stderr)) return undefined;
    throw credentialError(
      registry,
      `credential helper docker-credential-${name} exited with ${result.code}: ${(result.stderr || result.stdout).trim().slice(0, 300)}`,
      undefined,
    );
  }
  let parsed: { Username?: string; Secret?: string };
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    throw credentialError(registry, `credential helper docker-credential-${name} printed no JSON`, undefined);
  }
  if (!parsed.Secret) return undefined;
  if (parsed.Username === '<token>') return { kind: 'identity-token', token: parsed.Secret };
  return { kind: 'basic', username: parsed.Username ?? '', password: parsed.Secret };
}

function credentialError(registry: string, detail: string, hint: string | undefined): RegistryError {
  return new RegistryError({
    registry: registry || 'config.json',
    operation: 'read credentials',
    failure: 'credentials',
    detail,
    hint,
  });
}
