/**
 * The layer cache end to end as root, against the real registry: RUN steps
 * fetch from a counting HTTP server, so a RUN that ran is seen by its side
 * effect, not by the log. Covers a warm rebuild (no RUN, same layers, almost
 * nothing pushed), a changed build arg, a changed copied file, a changed
 * base image, the TTL, and an unreachable cache repository.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { EarlierStepChanged, NothingAfterBase } from '../../src/cache/explain.js';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import type { BuildResult } from '../../src/executor/result.js';
import { parseReference } from '../../src/image/reference.js';
import { pushImage } from '../../src/registry/push.js';
import { BUSYBOX_FIXTURE_BINARIES, busyboxLayer, imageOf, pushBusyboxImage } from '../lab/busybox-fixture.js';
import { useBuildLab, writeTree } from '../lab/fixtures.js';
import { describeWith } from '../lab/prereq.js';
import { freePort } from '../lab/registry.js';
import { type CountingServer, captureLog, startCountingServer } from './cache-harness.js';

describeWith(
  { root: true, binaries: [...BUSYBOX_FIXTURE_BINARIES, 'docker-registry', 'unshare', 'setpriv'] },
  'layer cache in a registry repository',
  () => {
    const lab = useBuildLab({ prefix: 'kiln-cache-e2e-' });
    let server: CountingServer;

    beforeAll(async () => {
      server = await startCountingServer();
    });

    afterAll(async () => {
      await server?.stop();
    });

    /** Five filesystem steps; each RUN fetches its own path (`/<name>/<run>`). */
    function dockerfile(name: string, base = `${lab.registry.host}/base/busybox:1`): string {
      const get = (p: string) => `wget -q -O - ${server.url}/${name}/${p}`;
      return [
        `FROM ${base}`,
        `RUN ${get('one')} > /one`,
        'COPY a.txt /a.txt',
        'ARG FLAVOR=plain',
        `RUN ${get('two')}-$FLAVOR > /two && cat /a.txt >> /two`,
        'COPY b.txt /b.txt',
        `RUN ${get('three')} > /three && cat /b.txt >> /three`,
        'ENV DONE=1',
      ].join('\n');
    }

    async function project(name: string, files: Record<string, string> = {}) {
      const dir = path.join(lab.tmp, name);
      await writeTree(dir, { Dockerfile: dockerfile(name), 'a.txt': 'a\n', 'b.txt': 'b\n', ...files });
      return dir;
    }

    function options(ctxDir: string, name: string) {
      const o = defaultBuildOptions(ctxDir, path.join(ctxDir, 'Dockerfile'));
      o.destinations = [`${lab.registry.host}/team/${name}:latest`];
      o.insecureRegistries = [lab.registry.host];
      o.reproducible = true;
      o.cache.enabled = true;
      o.cache.repo = `${lab.registry.host}/team/${name}/cache`;
      // RUN counts itself on a server on the host's loopback: only the host's network reaches it.
      o.network = 'host';
      return o;
    }

    const runs = (name: string) =>
      ['one', 'two-plain', 'two-spicy', 'three'].map((p) => server.count(`/${name}/${p}`));
    const cacheColumn = (r: BuildResult) => r.steps.filter((s) => s.cache !== 'none').map((s) => s.cache);
    const layerDigests = (r: BuildResult) => r.steps.map((s) => s.layer?.digest);
    const reasons = (r: BuildResult) =>
      r.steps.filter((s) => s.cache === 'miss').map((s) => s.cacheMissReason);

    test('an unchanged rebuild runs no RUN, hits every step, gives the same image and pushes no layer', async () => {
      const dir = await project('warm');
      const cold = await build(options(dir, 'warm'), captureLog().log);
      expect(runs('warm')).toEqual([1, 1, 0, 1]);
      expect(cacheColumn(cold)).toEqual(['miss', 'miss', 'miss', 'miss', 'miss']);
      expect(reasons(cold)).toEqual([NothingAfterBase, ...Array(4).fill(EarlierStepChanged)]);
      // The destination push mounted the layers the cache had just stored.
      const coldRequests = lab.registry.requests();
      const mounts = coldRequests.filter(
        (r) => r.method === 'POST' && r.path.startsWith('/v2/team/warm/blobs/uploads/?') && r.status === 201,
      );
      const fromCache = mounts.filter((r) => r.path.includes('from=team%2Fwarm%2Fcache'));
      expect({ mounts: mounts.length, fromCache: fromCache.length }).toEqual({ mounts: 6, fromCache: 5 });

      const before = lab.registry.requests().length;
      const captured = captureLog();
      const warm = await build(options(dir, 'warm'), captured.log);
      expect(runs('warm')).toEqual([1, 1, 0, 1]);
      expect(cacheColumn(warm)).toEqual(['hit', 'hit', 'hit', 'hit', 'hit']);
      expect(warm.cacheHits).toBe(5);
      expect(warm.digest).toBe(cold.digest);
      expect(layerDigests(warm)).toEqual(layerDigests(cold));
      expect(captured.warnings).toEqual([]);
      expect(captured.infos.some((l) => l.includes('CACHED RUN'))).toBe(true);
      const warmRequests = lab.registry.requests().slice(before);
      // No blob was uploaded or downloaded: lookups, HEADs and the manifest only.
      // (The one POST is the push permission check's upload session, cancelled at once.)
      expect(warmRequests.filter((r) => r.method === 'PATCH' || r.method === 'POST')).toEqual([
        { method: 'POST', path: '/v2/team/warm/blobs/uploads/', status: 202 },
      ]);
      expect(warmRequests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
      const blobGets = warmRequests.filter((r) => r.method === 'GET' && /\/blobs\/sha256:/.test(r.path));
      expect(blobGets).toHaveLength(6); // the five entries' configs and the base's config
      const layers = [...layerDigests(cold), (await busyboxLayer()).digest].filter(Boolean) as string[];
      expect(blobGets.filter((r) => layers.some((d) => r.path.endsWith(d)))).toEqual([]);
    });

    test('skip_unchanged_digest: a rebuild to the digest the tag holds pushes nothing and is not refreshed', async () => {
      const dir = await project('skip');
      const first = await build(options(dir, 'skip'), captureLog().log);
      expect(first.refreshed).toBe(true);
      const o = options(dir, 'skip');
      o.skipUnchanged = { ignoreLabels: [] };
      const before = lab.registry.requests().length;
      const again = await build(o, captureLog().log);
      expect(again.digest).toBe(first.digest);
      expect(again.refreshed).toBe(false);
      expect(again.references).toEqual([]);
      expect(again.unchanged?.reference).toBe(`${lab.registry.host}/team/skip:latest`);
      expect(again.unchanged?.digest).toBe(first.digest);
      const pushes = lab.registry
        .requests()
        .slice(before)
        .filter((r) => r.method === 'PUT' || r.method === 'PATCH');
      // (The push permission check opens an upload session and cancels it: no blob, no manifest.)
      expect(pushes).toEqual([]);
      // A changed file gives another digest: pushed, refreshed.
      await fs.writeFile(path.join(dir, 'a.txt'), 'a changed\n');
      const changed = await build(o, captureLog().log);
      expect(changed.refreshed).toBe(true);
      expect(changed.digest).not.toBe(first.digest);
    });

    test('a changed build arg rebuilds from the RUN that sees it on', async () => {
      const dir = await project('arg');
      await build(options(dir, 'arg'), captureLog().log);
      const o = options(dir, 'arg');
      o.buildArgs.set('FLAVOR', 'spicy');
      const r = await build(o, captureLog().log);
      expect(cacheColumn(r)).toEqual(['hit', 'hit', 'miss', 'miss', 'miss']);
      expect(runs('arg')).toEqual([1, 1, 1, 2]);
      // The miss says why: the build arg the RUN sees.
      expect(reasons(r)).toEqual(['variable FLAVOR changed', EarlierStepChanged, EarlierStepChanged]);
    });

    test('a changed copied file rebuilds from that COPY on and nothing before', async () => {
      const dir = await project('copy');
      const first = await build(options(dir, 'copy'), captureLog().log);
      await fs.writeFile(path.join(dir, 'b.txt'), 'b changed\n');
      const r = await build(options(dir, 'copy'), captureLog().log);
      expect(cacheColumn(r)).toEqual(['hit', 'hit', 'hit', 'miss', 'miss']);
      expect(runs('copy')).toEqual([1, 1, 0, 2]);
      expect(reasons(r)).toEqual(['file b.txt changed', EarlierStepChanged]);
      // Steps: FROM, RUN, COPY a, ARG, RUN, COPY b, RUN, ENV.
      expect(layerDigests(r).slice(0, 5)).toEqual(layerDigests(first).slice(0, 5));
      expect(layerDigests(r)[5]).not.toEqual(layerDigests(first)[5]);
    });

    test('a changed base image rebuilds everything', async () => {
      const base = `${lab.registry.host}/base/moving:1`;
      await pushBusyboxImage(lab.client, [parseReference(base)]);
      const dir = await project('base');
      await fs.writeFile(path.join(dir, 'Dockerfile'), dockerfile('base', base));
      await build(options(dir, 'base'), captureLog().log);
      const next = imageOf([await busyboxLayer()], {
        config: { config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { version: '2' } } },
      });
      await pushImage(lab.client, [parseReference(base)], next);
      const r = await build(options(dir, 'base'), captureLog().log);
      expect(cacheColumn(r)).toEqual(['miss', 'miss', 'miss', 'miss', 'miss']);
      expect(runs('base')).toEqual([2, 2, 0, 2]);
      expect(reasons(r)[0]).toBe(NothingAfterBase);
    });

    test('entries older than the TTL are not used', async () => {
      const dir = await project('ttl');
      const longAgo = new Date(Date.now() - 15 * 24 * 3600 * 1000);
      await build(options(dir, 'ttl'), captureLog().log, { now: () => longAgo });
      const r = await build(options(dir, 'ttl'), captureLog().log);
      expect(cacheColumn(r)).toEqual(['miss', 'miss', 'miss', 'miss', 'miss']);
      expect(r.steps.filter((s) => s.cache === 'miss').map((s) => s.cacheMissReason)).toEqual(
        Array(5).fill('expired'),
      );
      expect(runs('ttl')).toEqual([2, 2, 0, 2]);
      // The rebuild stored fresh entries: a third build hits them.
      const again = await build(options(dir, 'ttl'), captureLog().log);
      expect(cacheColumn(again)).toEqual(['hit', 'hit', 'hit', 'hit', 'hit']);
      expect(runs('ttl')).toEqual([2, 2, 0, 2]);
    });

    test('an unreachable cache repository is one warning and an uncached build', async () => {
      const dir = await project('down');
      const nowhere = `127.0.0.1:${await freePort()}`;
      const o = options(dir, 'down');
      o.cache.repo = `${nowhere}/team/down/cache`;
      o.insecureRegistries.push(nowhere);
      o.pushRetry = 2;
      const captured = captureLog();
      const r = await build(o, captured.log);
      expect(r.references).toEqual([`${lab.registry.host}/team/down:latest`]);
      expect(cacheColumn(r)).toEqual(['miss', 'miss', 'miss', 'miss', 'miss']);
      expect(new Set(r.steps.filter((s) => s.cache === 'miss').map((s) => s.cacheMissReason))).toEqual(
        new Set(['cache unreachable']),
      );
      const cacheWarnings = captured.warnings.filter((w) => w.includes(nowhere));
      expect(cacheWarnings).toHaveLength(1);
      expect(cacheWarnings[0]).toMatch(/unreachable, building without it/);
      expect(runs('down')).toEqual([1, 1, 0, 1]);
    });
  },
);
