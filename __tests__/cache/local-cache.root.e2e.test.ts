/**
 * The local directory backend end to end as root: a warm rebuild runs no
 * RUN, a changed file rebuilds from its COPY on with the base layers read
 * from the directory instead of the registry, and two builds can share the
 * directory at once.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import type { BuildResult } from '../../src/executor/result.js';
import { hexOf } from '../../src/image/digest.js';
import { BUSYBOX_FIXTURE_BINARIES, busyboxLayer } from '../lab/busybox-fixture.js';
import { useBuildLab, writeTree } from '../lab/fixtures.js';
import { describeWith } from '../lab/prereq.js';
import { type CountingServer, captureLog, startCountingServer } from './cache-harness.js';

describeWith(
  { root: true, binaries: [...BUSYBOX_FIXTURE_BINARIES, 'docker-registry', 'unshare', 'setpriv'] },
  'layer cache in a local directory',
  () => {
    const lab = useBuildLab({ prefix: 'kiln-local-cache-e2e-' });
    let server: CountingServer;

    beforeAll(async () => {
      server = await startCountingServer();
    });

    afterAll(async () => {
      await server?.stop();
    });

    async function project(name: string): Promise<string> {
      const get = (p: string) => `wget -q -O - ${server.url}/${name}/${p}`;
      return writeTree(path.join(lab.tmp, name), {
        Dockerfile: [
          `FROM ${lab.registry.host}/base/busybox:1`,
          `RUN ${get('one')} > /one`,
          'COPY src/ /src/',
          `RUN ${get('two')} > /two && ls /src > /listing`,
        ].join('\n'),
        'src/a.txt': 'a\n',
        'src/deep/b.txt': 'b\n',
      });
    }

    function options(ctxDir: string, name: string, cacheDir: string) {
      const o = defaultBuildOptions(ctxDir, path.join(ctxDir, 'Dockerfile'));
      o.destinations = [`${lab.registry.host}/local/${name}:latest`];
      o.insecureRegistries = [lab.registry.host];
      o.reproducible = true;
      o.cache.enabled = true;
      o.cache.dir = cacheDir;
      // RUN counts itself on a server on the host's loopback: only the host's network reaches it.
      o.network = 'host';
      return o;
    }

    const runs = (name: string) => ['one', 'two'].map((p) => server.count(`/${name}/${p}`));
    const cacheColumn = (r: BuildResult) => r.steps.filter((s) => s.cache !== 'none').map((s) => s.cache);

    test('warm rebuild, changed file, base layers from the directory', async () => {
      const dir = await project('basics');
      const cacheDir = path.join(lab.tmp, 'cache-basics');
      // A clock a minute ahead: the context files are not "just changed", so their digests are memoised.
      const ahead = new Date(Date.now() + 60_000);
      const cold = await build(options(dir, 'basics', cacheDir), captureLog().log, { now: () => ahead });
      expect(cacheColumn(cold)).toEqual(['miss', 'miss', 'miss']);
      expect(runs('basics')).toEqual([1, 1]);
      // The base layer was kept when the first RUN extracted it; the step layers are stored.
      const base = await busyboxLayer();
      await expect(fs.stat(path.join(cacheDir, 'blobs/sha256', hexOf(base.digest)))).resolves.toBeTruthy();
      const withLayers = cold.steps.filter((s) => s.layer);
      expect(withLayers).toHaveLength(3);
      for (const s of withLayers) {
        await expect(
          fs.stat(path.join(cacheDir, 'blobs/sha256', hexOf(s.layer!.digest as never))),
        ).resolves.toBeTruthy();
      }
      expect((await fs.readdir(path.join(cacheDir, 'entries'))).length).toBe(3);
      expect(await fs.readdir(path.join(cacheDir, 'tmp'))).toEqual([]);
      const memos = await fs.readdir(path.join(cacheDir, 'file-digests'));
      expect(memos).toHaveLength(1);
      const memo = JSON.parse(await fs.readFile(path.join(cacheDir, 'file-digests', memos[0]!), 'utf8'));
      expect(Object.keys(memo.files).sort()).toEqual([
        path.join(dir, 'src/a.txt'),
        path.join(dir, 'src/deep/b.txt'),
      ]);

      const warm = await build(options(dir, 'basics', cacheDir), captureLog().log);
      expect(cacheColumn(warm)).toEqual(['hit', 'hit', 'hit']);
      expect(runs('basics')).toEqual([1, 1]);
      expect(warm.digest).toBe(cold.digest);

      await fs.writeFile(path.join(dir, 'src/deep/b.txt'), 'b changed\n');
      const before = lab.registry.requests().length;
      const changed = await build(options(dir, 'basics', cacheDir), captureLog().log);
      expect(cacheColumn(changed)).toEqual(['hit', 'miss', 'miss']);
      expect(runs('basics')).toEqual([1, 2]);
      // Extracting for the COPY read the base layer from the cache directory, not the registry.
      const gets = lab.registry
        .requests()
        .slice(before)
        .filter((r) => r.method === 'GET');
      expect(gets.filter((r) => r.path.endsWith(base.digest))).toEqual([]);
    });

    test('two builds share the directory at once', async () => {
      const cacheDir = path.join(lab.tmp, 'cache-shared');
      const [a, b] = [await project('left'), await project('right')];
      const both = await Promise.all([
        build(options(a, 'left', cacheDir), captureLog().log),
        build(options(b, 'right', cacheDir), captureLog().log),
      ]);
      for (const r of both) expect(r.references).toHaveLength(1);
      expect(await fs.readdir(path.join(cacheDir, 'tmp'))).toEqual([]);
      const again = await build(options(a, 'left', cacheDir), captureLog().log);
      expect(cacheColumn(again)).toEqual(['hit', 'hit', 'hit']);
      expect(runs('left')).toEqual([1, 1]);
    });
  },
);
