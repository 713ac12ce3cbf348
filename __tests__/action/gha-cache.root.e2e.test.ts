/**
 * The GitHub Actions cache backend through the real @actions/cache code
 * path, against a local stand-in of the cache service (twirp) with
 * Azurite serving the blob storage: a run saves its layer cache, the next
 * run (fresh directory, new commit key) restores it by restore key and runs
 * no RUN; an unchanged cache is not saved again; a missing service is a
 * warning.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { type GhaCachePlan, restoreGhaCache, saveGhaCache } from '../../src/action/gha-cache.js';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import type { BuildResult } from '../../src/executor/result.js';
import { type CountingServer, captureLog, startCountingServer } from '../cache/cache-harness.js';
import { BUSYBOX_FIXTURE_BINARIES } from '../lab/busybox-fixture.js';
import { useBuildLab, writeTree } from '../lab/fixtures.js';
import { azuriteBlobServer, type GhaCacheService, startGhaCacheService } from '../lab/gha-cache-service.js';
import { describeWith } from '../lab/prereq.js';

const azurite = azuriteBlobServer();

describeWith(
  { root: true, binaries: [...BUSYBOX_FIXTURE_BINARIES, 'docker-registry', 'unshare', 'setpriv'] },
  'layer cache in the GitHub Actions cache',
  () => {
    const lab = useBuildLab({ prefix: 'kiln-gha-e2e-' });
    let server: CountingServer;
    let service: GhaCacheService;
    const savedEnv = { ...process.env };

    beforeAll(async () => {
      if ('missing' in azurite) throw new Error(azurite.missing);
      server = await startCountingServer();
      service = await startGhaCacheService();
      await fs.mkdir(path.join(lab.tmp, 'runner-temp'));
      Object.assign(process.env, service.env, {
        RUNNER_TEMP: path.join(lab.tmp, 'runner-temp'),
        GITHUB_WORKSPACE: lab.tmp,
      });
      delete process.env.GITHUB_SERVER_URL;
      delete process.env.ACTIONS_CACHE_URL;
    });

    afterAll(async () => {
      process.env = savedEnv;
      await server?.stop();
      await service?.stop();
    });

    const cacheColumn = (r: BuildResult) => r.steps.filter((s) => s.cache !== 'none').map((s) => s.cache);

    test('a run saves the layer cache; the next run restores it and runs no RUN', async () => {
      const ctxDir = await writeTree(path.join(lab.tmp, 'ctx'), {
        Dockerfile: [
          `FROM ${lab.registry.host}/base/busybox:1`,
          `RUN wget -q -O - ${server.url}/gha/one > /one`,
          'COPY app.txt /app.txt',
        ].join('\n'),
        'app.txt': 'app\n',
      });
      const dir = path.join(lab.tmp, 'runner-temp', 'kiln-gha-cache');
      const plan = (sha: string): { ghaCache: GhaCachePlan } => ({
        ghaCache: { dir, key: `kiln-0123456789ab-${sha}`, restoreKeys: ['kiln-0123456789ab-'] },
      });
      const options = () => {
        const o = defaultBuildOptions(ctxDir, path.join(ctxDir, 'Dockerfile'));
        o.destinations = [`${lab.registry.host}/gha/app:latest`];
        o.insecureRegistries = [lab.registry.host];
        o.reproducible = true;
        o.cache.enabled = true;
        o.cache.dir = dir;
        // RUN counts itself on a server on the host's loopback: only the host's network reaches it.
        o.network = 'host';
        return o;
      };

      // Run 1: nothing to restore; the build fills the directory; it is saved.
      const log1 = captureLog();
      const restored1 = await restoreGhaCache(plan('aaa'), log1.log);
      expect(restored1?.matchedKey).toBeUndefined();
      const first = await build(options(), log1.log);
      expect(cacheColumn(first)).toEqual(['miss', 'miss']);
      expect(await saveGhaCache(plan('aaa'), log1.log, restored1)).toBe(true);
      expect(log1.warnings).toEqual([]);
      expect(service.entries()).toEqual([
        expect.objectContaining({ key: 'kiln-0123456789ab-aaa', finalized: true }),
      ]);
      expect(service.entries()[0]!.size).toBeGreaterThan(0);

      // Run 2 on a fresh runner: a new commit's key restores run 1's entry by restore key.
      await fs.rm(dir, { recursive: true, force: true });
      const log2 = captureLog();
      const restored2 = await restoreGhaCache(plan('bbb'), log2.log);
      expect(restored2?.matchedKey).toBe('kiln-0123456789ab-aaa');
      const second = await build(options(), log2.log);
      expect(cacheColumn(second)).toEqual(['hit', 'hit']);
      expect(server.count('/gha/one')).toBe(1);
      expect(second.digest).toBe(first.digest);
      // Nothing new in the directory: not saved again.
      expect(await saveGhaCache(plan('bbb'), log2.log, restored2)).toBe(false);
      expect(log2.warnings).toEqual([]);
      expect(service.entries()).toHaveLength(1);
      expect(new Set(service.calls)).toEqual(
        new Set(['GetCacheEntryDownloadURL', 'CreateCacheEntry', 'FinalizeCacheEntryUpload']),
      );
    });

    test('no cache service: warnings, and the build goes on', async () => {
      const env = { ...process.env };
      delete process.env.ACTIONS_RESULTS_URL;
      try {
        const dir = path.join(lab.tmp, 'no-service');
        const plan = { ghaCache: { dir, key: 'kiln-x-1', restoreKeys: ['kiln-x-'] } };
        const log = captureLog();
        const restored = await restoreGhaCache(plan, log.log);
        expect(restored?.matchedKey).toBeUndefined();
        await fs.mkdir(path.join(dir, 'entries'), { recursive: true });
        await fs.writeFile(
          path.join(dir, 'entries', `${'c'.repeat(64)}.json`),
          `{"created":"${new Date().toISOString()}"}`,
        );
        expect(await saveGhaCache(plan, log.log, restored)).toBe(false);
        expect(log.warnings).toHaveLength(2);
        expect(log.warnings.every((w) => w.includes('GitHub Actions cache service is not available'))).toBe(
          true,
        );
      } finally {
        process.env = env;
      }
    });
  },
);
