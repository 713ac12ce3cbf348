/**
 * Shared test fixtures (go-containerregistry's pkg/v1/random and validate
 * are the model): streams read whole, context directories written from a
 * map, BuildOptions for a lab registry, and the registry + busybox base that
 * most end-to-end suites start from.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { type BuildOptions, defaultBuildOptions } from '../../src/executor/options.js';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials.js';
import { pushBusyboxImage } from './busybox-fixture.js';
import { startRegistry, type TestRegistry } from './registry.js';

/** Every byte of a stream (or any async iterable of chunks). */
export async function readStream(s: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array | string));
  return Buffer.concat(parts);
}

/** Writes `files` (path → content) under `dir` (created), returns `dir`. */
export async function writeTree(dir: string, files: Record<string, string | Buffer>): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, content);
  }
  return dir;
}

/** BuildOptions for a context directory (Dockerfile inside it) pushing to a lab registry. */
export function labBuildOptions(
  ctxDir: string,
  lab: { registry: TestRegistry; dockerConfig?: string },
  destinations: string[] = [],
): BuildOptions {
  const o = defaultBuildOptions(ctxDir, path.join(ctxDir, 'Dockerfile'));
  o.destinations = destinations;
  o.insecureRegistries = [lab.registry.host];
  if (lab.dockerConfig) o.dockerConfig = lab.dockerConfig;
  return o;
}

export interface BuildLab {
  registry: TestRegistry;
  /** A client with the registry's credentials (when it has any). */
  client: RegistryClient;
  /** `HOST/base/busybox:1`, pushed before the suite's tests. */
  base: string;
  /** A temporary directory, removed after the suite. */
  tmp: string;
  /** A docker config.json with the registry's credentials (token registries only). */
  dockerConfig?: string;
  /** A new context directory under tmp with `files`. */
  context(files: Record<string, string | Buffer>): Promise<string>;
  /** BuildOptions for a context pushing to `destinations` (full references). */
  options(ctxDir: string, ...destinations: string[]): BuildOptions;
}

/**
 * Starts a registry (open, or with ghcr.io's token flow) with the busybox
 * base pushed, in the suite's beforeAll, and stops it in afterAll. Call at
 * the top of a describe(); the fields are valid inside tests.
 */
export function useBuildLab(opts: { auth?: 'token'; prefix?: string } = {}): BuildLab {
  const lab = {} as BuildLab;
  beforeAll(async () => {
    const registry = await startRegistry(opts.auth ? { auth: opts.auth } : {});
    lab.registry = registry;
    if (registry.username) {
      const creds = { kind: 'basic' as const, username: registry.username, password: registry.password! };
      lab.client = new RegistryClient({
        insecure: [registry.host],
        credentials: staticCredentials({ [registry.host]: creds }),
      });
    } else {
      lab.client = new RegistryClient({ insecure: [registry.host] });
    }
    lab.base = `${registry.host}/base/busybox:1`;
    await pushBusyboxImage(lab.client, [parseReference(lab.base)]);
    lab.tmp = await fs.mkdtemp(path.join(os.tmpdir(), opts.prefix ?? 'kiln-lab-'));
    if (registry.username) {
      lab.dockerConfig = path.join(lab.tmp, 'config.json');
      const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
      await fs.writeFile(lab.dockerConfig, JSON.stringify({ auths: { [registry.host]: { auth } } }));
    }
    lab.context = async (files) => writeTree(await fs.mkdtemp(path.join(lab.tmp, 'ctx-')), files);
    lab.options = (ctxDir, ...destinations) => labBuildOptions(ctxDir, lab, destinations);
  });
  afterAll(async () => {
    await lab.client?.close();
    await lab.registry?.stop();
    if (lab.tmp) await fs.rm(lab.tmp, { recursive: true, force: true });
  });
  return lab;
}
