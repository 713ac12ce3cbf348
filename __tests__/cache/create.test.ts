/** CacheConfig → backend: which cache a build gets, and the kaniko-style default repository. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { NO_LOOKUP } from '../../src/cache/cache-mode.js';
import { createLayerCache, defaultCacheRepo } from '../../src/cache/create.js';
import { buildOptionsFromFlags } from '../../src/cli/build-flags.js';
import { cacheConfig } from '../../src/executor/library-options.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import { cliSettingName } from '../../src/flags/executor-flags.js';
import { renderSettings } from '../../src/hints.js';
import { RegistryClient } from '../../src/registry/client.js';
import { captureLog } from './cache-harness.js';

let dir: string;
const registry = new RegistryClient();
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-cache-create-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function cacheFor(cache: {
  enabled?: boolean;
  repo?: string;
  dir?: string;
  mode?: 'read-write' | 'read-only' | 'write-only';
}) {
  const o = defaultBuildOptions(dir, path.join(dir, 'Dockerfile'));
  o.cache = { ...o.cache, enabled: true, ...cache };
  const captured = captureLog();
  const c = await createLayerCache({ config: cacheConfig(o), registry, log: captured.log });
  return { cache: c, warnings: captured.warnings.map((w) => renderSettings(w, cliSettingName)) };
}

describe('createLayerCache', () => {
  test('modes: read-only stores nothing, write-only looks nothing up', async () => {
    const key = 'a'.repeat(64);
    const rw = (await cacheFor({ dir: path.join(dir, 'm') })).cache!;
    const ro = (await cacheFor({ dir: path.join(dir, 'm'), mode: 'read-only' })).cache!;
    expect(ro.name).toBe(`directory ${path.join(dir, 'm')} (read-only)`);
    ro.store(key, undefined);
    await ro.flush();
    expect(await rw.lookup(key)).toEqual({ hit: false, reason: 'no entry' });
    rw.store(key, undefined);
    await rw.flush();
    expect(await ro.lookup(key)).toEqual({ hit: true, layer: undefined });
    const wo = (await cacheFor({ dir: path.join(dir, 'm'), mode: 'write-only' })).cache!;
    expect(await wo.lookup(key)).toEqual({ hit: false, reason: NO_LOOKUP });
    expect(wo.keepLayer).toBeDefined();
  });

  test('off unless enabled', async () => {
    expect((await cacheFor({ enabled: false, repo: 'r.example/a/cache' })).cache).toBeUndefined();
  });

  test('--cache-repo: registry; --cache-dir: directory; both: directory first', async () => {
    expect((await cacheFor({ repo: 'r.example/a/cache' })).cache?.name).toBe('registry r.example/a/cache');
    const local = (await cacheFor({ dir: path.join(dir, 'c') })).cache;
    expect(local?.name).toBe(`directory ${path.join(dir, 'c')}`);
    expect(local?.keepLayer).toBeDefined();
    expect(local?.mountSource).toBeUndefined();
    const both = (await cacheFor({ repo: 'r.example/a/cache', dir: path.join(dir, 'c') })).cache;
    expect(both?.name).toBe(`directory ${path.join(dir, 'c')} + registry r.example/a/cache`);
    expect(both?.mountSource).toEqual({ registry: 'r.example', repository: 'a/cache' });
  });

  test('a repository with a tag, or nothing to cache in, is a warning and no cache', async () => {
    const tagged = await cacheFor({ repo: 'r.example/a/cache:v1' });
    expect(tagged.cache).toBeUndefined();
    expect(tagged.warnings[0]).toMatch(/names a tag or digest/);
    const none = await cacheFor({});
    expect(none.cache).toBeUndefined();
    expect(none.warnings[0]).toMatch(/no --cache-repo, --cache-dir or --destination/);
  });
});

describe('the CLI default cache repository', () => {
  test('is <first destination>/cache, like kaniko', () => {
    expect(defaultCacheRepo(['ghcr.io/owner/app:1.0', 'ghcr.io/owner/other'])).toBe(
      'ghcr.io/owner/app/cache',
    );
    expect(defaultCacheRepo(['alpine'])).toBe('docker.io/library/alpine/cache');
    expect(defaultCacheRepo([])).toBeUndefined();
    const flags = (args: Record<string, string | boolean | string[]>) =>
      buildOptionsFromFlags(new Map(Object.entries(args)), {}, dir);
    expect(flags({ cache: true, destination: ['r.example/t/app:v1'] }).cache.repo).toBe(
      'r.example/t/app/cache',
    );
    expect(
      flags({ cache: true, destination: ['r.example/t/app:v1'], 'cache-repo': 'r.example/elsewhere' }).cache
        .repo,
    ).toBe('r.example/elsewhere');
    expect(flags({ destination: ['r.example/t/app:v1'] }).cache.repo).toBeUndefined();
  });
});
