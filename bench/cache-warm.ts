/**
 * Warm-rebuild benchmark of the layer cache (run as root with tsx):
 * a base image, a COPY of 30,000 files and a RUN; a cold build, then warm
 * rebuilds with the registry cache, the local directory cache (with its
 * file-digest memo), and both. Prints wall times and warm/cold ratios.
 *
 *   node_modules/.bin/tsx bench/cache-warm.ts [rootfs-dir-for-base]
 *
 * With a rootfs directory (e.g. from debootstrap --variant=minbase) the base
 * is that tree; otherwise the busybox test base.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileLayer, imageOf, pushBusyboxImage, tarLayer } from '../__tests__/lab/busybox-fixture.js';
import { startRegistry } from '../__tests__/lab/registry.js';
import { build } from '../src/executor/build.js';
import { defaultBuildOptions } from '../src/executor/options.js';
import { parseReference } from '../src/image/reference.js';
import { silentLogger } from '../src/log.js';
import { RegistryClient } from '../src/registry/client.js';
import { pushImage } from '../src/registry/push.js';

const FILES = 30_000;

async function main() {
  const rootfs = process.argv[2];
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-cache-bench-'));
  const registry = await startRegistry();
  const client = new RegistryClient({ insecure: [registry.host] });
  try {
    const base = parseReference(`${registry.host}/base/image:1`);
    if (rootfs) {
      const t0 = Date.now();
      const f = await tarLayer(rootfs, path.join(tmp, 'base.tar.gz'));
      await pushImage(client, [base], imageOf([fileLayer(f)]));
      console.log(
        `base from ${rootfs}: ${(f.size / 1048576).toFixed(1)} MiB compressed, pushed in ${Date.now() - t0} ms`,
      );
    } else {
      await pushBusyboxImage(client, [base]);
    }
    const ctx = path.join(tmp, 'ctx');
    for (let d = 0; d < FILES / 100; d++) {
      const dir = path.join(ctx, 'files', `d${d}`);
      await fs.mkdir(dir, { recursive: true });
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          fs.writeFile(path.join(dir, `f${i}.txt`), `file ${d}/${i}\n${'x'.repeat((d * 100 + i) % 4096)}\n`),
        ),
      );
    }
    await fs.writeFile(
      path.join(ctx, 'Dockerfile'),
      [
        `FROM ${base}`,
        'COPY files/ /app/files/',
        'RUN find /app -type f | wc -l > /app/count && sleep 1',
      ].join('\n'),
    );
    // Let the files age past the memo's "just changed" window.
    await new Promise((r) => setTimeout(r, 3500));

    const run = async (label: string, cache: { repo?: string; dir?: string }, dest: string) => {
      const o = defaultBuildOptions(ctx, path.join(ctx, 'Dockerfile'));
      o.destinations = [`${registry.host}/bench/${dest}:latest`];
      o.insecureRegistries = [registry.host];
      o.reproducible = true;
      o.cache.enabled = true;
      if (cache.repo) o.cache.repo = `${registry.host}/bench/${cache.repo}`;
      if (cache.dir) o.cache.dir = path.join(tmp, cache.dir);
      const t0 = Date.now();
      const r = await build(o, silentLogger);
      const ms = Date.now() - t0;
      console.log(
        `${label.padEnd(44)} ${String(ms).padStart(6)} ms  hits ${r.cacheHits}/${r.steps.filter((s) => s.cache !== 'none').length}`,
      );
      return ms;
    };

    const coldR = await run('cold, registry cache', { repo: 'reg/cache' }, 'reg');
    const warmR = await run('warm, registry cache (no memo)', { repo: 'reg/cache' }, 'reg');
    const coldL = await run('cold, local dir cache', { dir: 'local' }, 'local');
    const warmL1 = await run('warm, local dir cache (memo filled)', { dir: 'local' }, 'local');
    const warmL2 = await run('warm, local dir cache (memo used)', { dir: 'local' }, 'local');
    console.log(
      `ratio registry warm/cold ${(warmR / coldR).toFixed(3)}, local warm/cold ${(warmL2 / coldL).toFixed(3)} (first warm ${(warmL1 / coldL).toFixed(3)})`,
    );
  } finally {
    await client.close();
    await registry.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

await main();
