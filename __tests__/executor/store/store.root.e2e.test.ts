/**
 * The snapshot store as root, with real parts: the lab registry's bases
 * (`layered` has whiteouts, an opaque dir, hardlinks, setuid files, owners,
 * symlinked dirs and a file capability), overlay mounts, the chroot
 * sandbox, flock helpers, and the CLI killed mid-RUN.
 *
 * (A RUN over stored layers sees what a RUN over Docker's or BuildKit's
 * overlay snapshots sees: a directory present in several layers has link
 * count 1, as overlayfs reports it. The Dockerfile below does not print it.)
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { build } from '../../../src/executor/build.js';
import { unmountUnder } from '../../../src/executor/fs/mounts.js';
import { defaultBuildOptions } from '../../../src/executor/options.js';
import { tryLock } from '../../../src/executor/store/flock.js';
import { chainIds, StoreLayout } from '../../../src/executor/store/layout.js';
import { SnapshotStore } from '../../../src/executor/store/snapshot-store.js';
import { parseDigest } from '../../../src/image/digest.js';
import { silentLogger, streamLogger } from '../../../src/log.js';
import { runCli } from '../../cli/run-cli.js';
import { type DifferentialLab, fillPlaceholders, startLab } from '../../lab/differential-lab.js';
import { describeWith } from '../../lab/prereq.js';

const repo = path.resolve(import.meta.dirname, '../../..');

const DOCKERFILE = `FROM {{layered}} AS build
RUN echo built > /opt/app/built && rm -rf /opt/tree && mkdir /opt/tree && echo new > /opt/tree/n && ln /usr/local/bin/suid /usr/local/bin/suid-2 && chmod 700 /var/lib/data
COPY ctx.txt /opt/app/ctx.txt
RUN cat /opt/app/keep.txt /opt/app/ctx.txt > /opt/app/both && rm /opt/app/sub/deep.txt && stat -c '%n %a %u:%g %h' /usr/local/bin/suid /usr/local/bin/suid-2 > /opt/stat && stat -c '%n %a %u:%g' /var/lib/data >> /opt/stat

FROM build AS second
RUN rm -rf /usr/local/bin/cap-untouched /srv && echo second > /second && ls /opt/tree /opt/app > /opt/listing

FROM {{busybox}}
COPY --from=second /opt/ /opt/
COPY --from=second /second /second
COPY --from={{layered}} /usr/local/bin/ /usr/local/bin/
RUN ls /opt/app /opt/tree /usr/local/bin > /listing
`;

interface Built {
  digest: string;
  log: string;
  /** From the store's own count: layers this build extracted into the store. */
  extracted: number;
}

describeWith(
  {
    root: true,
    binaries: ['docker-registry', 'tar', 'unshare', 'setpriv', 'flock', 'du', 'setfattr', 'getfattr'],
  },
  'snapshot store',
  () => {
    let lab: DifferentialLab;
    let tmp: string;
    let ctx: string;

    beforeAll(async () => {
      lab = await startLab();
      tmp = await mkdtemp(path.join(lab.work, 'store-'));
      ctx = path.join(tmp, 'ctx');
      await mkdir(ctx);
      await writeFile(path.join(ctx, 'Dockerfile'), fillPlaceholders(DOCKERFILE, lab));
      await writeFile(path.join(ctx, 'ctx.txt'), 'from the context\n');
    }, 120_000);
    afterAll(async () => {
      await lab?.stop();
    });

    async function kiln(opts: { store?: string; maxBytes?: number; target?: string; layout?: string }) {
      const o = defaultBuildOptions(ctx, path.join(ctx, 'Dockerfile'));
      o.push = false;
      o.reproducible = true;
      o.insecureRegistries = [lab.registry.host];
      o.workspace = path.join(tmp, 'ws');
      if (opts.target) o.target = opts.target;
      if (opts.layout) o.ociLayoutPath = opts.layout;
      if (opts.store) o.store = { dir: opts.store, maxBytes: opts.maxBytes ?? 1024 ** 3 };
      const lines: string[] = [];
      const r = await build(o, streamLogger({ verbose: true, write: (l) => lines.push(l) }));
      const log = lines.join('\n');
      const counts = /snapshot store: (\d+) layer\(s\) reused, (\d+) extracted/.exec(log);
      return { digest: r.digest, log, extracted: counts ? Number(counts[2]) : 0 } satisfies Built;
    }

    async function entries(store: string): Promise<{ chain: string; diff: string }[]> {
      const layout = new StoreLayout(store);
      const out = [];
      for (const hex of await readdir(layout.layers)) {
        const meta = JSON.parse(await readFile(path.join(layout.layers, hex, 'meta.json'), 'utf8'));
        expect(meta.chain).toBe(`sha256:${hex}`);
        out.push({ chain: meta.chain as string, diff: path.join(layout.layers, hex, 'diff') });
      }
      return out;
    }

    test('overlay roots of stored layers and extracted roots give the same images; a second build extracts nothing', async () => {
      const store = path.join(tmp, 'one');
      for (const target of ['second', undefined]) {
        const extracted = await kiln({ ...(target ? { target } : {}) });
        expect(extracted.log).not.toContain('snapshot store');
        const cold = await kiln({ store, ...(target ? { target } : {}) });
        const warm = await kiln({ store, ...(target ? { target } : {}) });
        expect(cold.digest).toBe(extracted.digest);
        expect(warm.digest).toBe(extracted.digest);
        if (target) expect(cold.extracted).toBe(3); // busybox, middle, top of `layered`
        expect(cold.log).toContain('stage roots are overlays of stored layers');
        expect(warm.extracted).toBe(0);
        expect(warm.log).not.toMatch(/extracted \d+ layer\(s\)|timing: extract/);
        expect(warm.log).toMatch(/mounted \d+ layer\(s\) from the snapshot store/);
      }
      // Every entry is whole; nothing is left in tmp/ or builds/.
      const layout = new StoreLayout(store);
      expect((await entries(store)).length).toBeGreaterThanOrEqual(3 + 3 + 1 + 2);
      expect(await readdir(layout.tmp)).toEqual([]);
      expect(await readdir(layout.builds)).toEqual([]);
    }, 300_000);

    test('without overlay (walk snapshots) roots start from stored whole trees: the same image, copied not extracted', async () => {
      const store = path.join(tmp, 'trees');
      const kilnWalk = async (withStore = true) => {
        const o = defaultBuildOptions(ctx, path.join(ctx, 'Dockerfile'));
        o.push = false;
        o.reproducible = true;
        o.insecureRegistries = [lab.registry.host];
        o.workspace = path.join(tmp, 'ws');
        o.snapshotMode = 'walk';
        o.target = 'build';
        if (withStore) o.store = { dir: store, maxBytes: 1024 ** 3 };
        const lines: string[] = [];
        const r = await build(o, streamLogger({ verbose: true, write: (l) => lines.push(l) }));
        return { digest: r.digest, log: lines.join('\n') };
      };
      // Walk snapshots differ from overlay ones in known ways (snapshot/snapshot.ts): compare walk with walk.
      const reference = await kilnWalk(false);
      const first = await kilnWalk();
      const second = await kilnWalk();
      expect(first.digest).toBe(reference.digest);
      expect(second.digest).toBe(reference.digest);
      expect(first.log).toMatch(/no overlay: --snapshot-mode walk; stage roots start from stored trees/);
      expect(first.log).toMatch(/timing: extract/);
      expect(first.log).toMatch(/saved the tree of 3 layer\(s\)/);
      expect(second.log).toMatch(/3 layer\(s\) copied from a stored tree/);
      expect(second.log).not.toMatch(/timing: extract/);
      expect(await readdir(new StoreLayout(store).trees)).toHaveLength(1);
    }, 300_000);

    test('two concurrent builds on one store: the same image, each layer extracted once', async () => {
      const store = path.join(tmp, 'two');
      const reference = await kiln({});
      const [a, b] = await Promise.all([kiln({ store }), kiln({ store })]);
      expect(a.digest).toBe(reference.digest);
      expect(b.digest).toBe(reference.digest);
      expect(a.extracted + b.extracted).toBe(3);
      const layout = new StoreLayout(store);
      expect(await readdir(layout.tmp)).toEqual([]);
      for (const e of await entries(store)) expect((await stat(e.diff)).isDirectory()).toBe(true);
    }, 300_000);

    test('a build killed mid-RUN leaves a half-written upper dir that the next build discards', async () => {
      const store = path.join(tmp, 'crash');
      const layout = new StoreLayout(store);
      const crashCtx = path.join(tmp, 'crash-ctx');
      await mkdir(crashCtx);
      const from = `FROM ${lab.names.layered}\n`;
      await writeFile(path.join(crashCtx, 'Dockerfile'), `${from}RUN echo half > /opt/half && sleep 300\n`);
      const ws = path.join(tmp, 'crash-ws');
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(repo, 'src/cli-main.ts'),
          'build',
          '--context',
          crashCtx,
          '--no-push',
          '--store',
          store,
          '--workspace',
          ws,
          '--insecure-registry',
          lab.registry.host,
        ],
        { cwd: repo, stdio: 'ignore' },
      );
      const exited = new Promise((r) => child.once('close', r));
      // Wait until the RUN has written into its upper dir in the store, then kill Kiln.
      let upper: string | undefined;
      for (let i = 0; i < 600 && !upper; i++) {
        for (const name of await readdir(layout.tmp).catch(() => [] as string[])) {
          if (
            name.includes('.run-') &&
            (await stat(path.join(layout.tmp, name, 'diff/opt/half')).catch(() => 0))
          )
            upper = name;
        }
        if (!upper) await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGKILL');
      await exited;
      expect(upper).toBeDefined();
      await unmountUnder(ws);
      // The kernel drops the killed build's lock as its helper ends.
      for (const f of await readdir(layout.builds)) {
        for (let i = 0; i < 100; i++) {
          const lock = await tryLock(layout.build(f));
          await lock?.release();
          if (lock) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await writeFile(path.join(crashCtx, 'Dockerfile'), `${from}RUN echo whole > /opt/half\n`);
      const o = defaultBuildOptions(crashCtx, path.join(crashCtx, 'Dockerfile'));
      o.push = false;
      o.insecureRegistries = [lab.registry.host];
      o.workspace = ws;
      o.store = { dir: store, maxBytes: 1024 ** 3 };
      const lines: string[] = [];
      await build(o, streamLogger({ verbose: true, write: (l) => lines.push(l) }));
      expect(lines.join('\n')).toMatch(
        /discarding \d+ unfinished entr(y|ies) of a build that ended mid-write/,
      );
      expect(await readdir(layout.tmp)).toEqual([]);
      for (const e of await entries(store)) {
        const half = await readFile(path.join(e.diff, 'opt/half'), 'utf8').catch(() => undefined);
        expect(half === undefined || half === 'whole\n').toBe(true);
      }
    }, 300_000);

    test('kiln prune and the size cap never remove a layer a running build uses', async () => {
      const store = path.join(tmp, 'cap');
      const layout = new StoreLayout(store);
      await kiln({ store, target: 'build' });
      const all = await entries(store);
      expect(all.length).toBe(3 + 3);

      // A small image built under a 1-byte cap: the first build's layers go, its own stay.
      const small = path.join(tmp, 'small-ctx');
      await mkdir(small);
      await writeFile(path.join(small, 'Dockerfile'), `FROM ${lab.names.busybox}\nRUN echo small > /small\n`);
      const o = defaultBuildOptions(small, path.join(small, 'Dockerfile'));
      o.push = false;
      o.insecureRegistries = [lab.registry.host];
      o.workspace = path.join(tmp, 'ws');
      o.ociLayoutPath = path.join(tmp, 'small-oci');
      o.store = { dir: store, maxBytes: 1 };
      const lines: string[] = [];
      await build(o, streamLogger({ write: (l) => lines.push(l) }));
      expect(lines.join('\n')).toMatch(
        /snapshot store .*: .* in 2 entries .*; removed 5 least recently used/,
      );
      const index = JSON.parse(await readFile(path.join(tmp, 'small-oci/index.json'), 'utf8'));
      const blob = (d: string) => readFile(path.join(tmp, 'small-oci/blobs/sha256', d.slice(7)), 'utf8');
      const manifest = JSON.parse(await blob(index.manifests[0].digest));
      const config = JSON.parse(await blob(manifest.config.digest));
      const kept = chainIds(config.rootfs.diff_ids).map(String).sort();
      expect((await entries(store)).map((e) => e.chain).sort()).toEqual(kept);

      // kiln prune keeps what a running build has (here: holds) in use, until it ends.
      const running = await SnapshotStore.open({ dir: store, maxBytes: 1 << 30 }, silentLogger);
      const held = await running.get(parseDigest(kept[0]!));
      expect(held).toBeDefined();
      const env = { HOME: tmp };
      const first = await runCli(['prune', '--store', store], { cwd: tmp, env });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/removed 1 layer\(s\) .*, kept 1 .*; 1 in use by running builds/);
      expect((await stat(held!.diff)).isDirectory()).toBe(true);
      await running.close();
      const second = await runCli(['prune', '--store', store], { cwd: tmp, env });
      expect(second.stdout).toMatch(/removed 1 layer\(s\) .*, kept 0 /);
      expect(await readdir(layout.layers)).toEqual([]);
      const none = await runCli(['prune', '--store', path.join(tmp, 'absent')], { cwd: tmp, env });
      expect(none.stdout).toContain('nothing to remove');
    }, 300_000);

    test('a stage root is released: nothing stays mounted over the store', async () => {
      const store = path.join(tmp, 'one');
      await kiln({ store });
      expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(tmp);
    }, 300_000);
  },
);
