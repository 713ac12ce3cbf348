/**
 * Layer extraction against GNU tar (issue 17): the 94,000-entry Debian-based
 * rootfs tar, plain and gzip'd, extracted into an empty directory on the
 * bench filesystem by `tar -xf` / `tar -xzf` (as root: owners, modes, mtimes)
 * and by Kiln's extractLayer (bench/extract-throughput.ts, the gunzip path a
 * pulled layer takes), interleaved, `rounds` times each. The directory is
 * removed and the filesystem synced between runs, outside the timing.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { extractionTars } from './inputs.mjs';
import { median } from './measure.mjs';
import { run } from './sh.mjs';

async function gnuTar(args, dir, tmp) {
  const out = join(tmp, 'gnu-tar-time.txt');
  const t0 = process.hrtime.bigint();
  await run(['/usr/bin/time', '-f', '%U %S', '-o', out, 'tar', ...args, '-C', dir]);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const [u, s] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: u + s };
}

async function kiln({ repo, node }, input, dir) {
  const r = await run([node, '--import', 'tsx', join(repo, 'bench/extract-throughput.ts'), input, dir], {
    cwd: repo,
  });
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** { inputs: [{ name, entries, bytes, gnu: {wall, cpu}, kiln: {wall, cpu, mainCpu} }], rounds, node } */
export async function extractionCheck({ repo, node, inputsDir, debian, tmp, rounds, log }) {
  const { tar, gz } = await extractionTars(inputsDir, debian, log);
  const dir = join(tmp, 'extract-into');
  const cases = [
    { name: 'tar', input: tar, gnuArgs: ['-xf', tar] },
    { name: 'tar.gz', input: gz, gnuArgs: ['-xzf', gz] },
  ];
  const runs = new Map(cases.map((c) => [c.name, { gnu: [], kiln: [] }]));
  let entries = 0;
  let bytes = 0;
  let nodeVersion = '';
  await run(['sh', '-c', `cat '${tar}' '${gz}' > /dev/null`]); // page cache, for both tools alike
  for (let round = 1; round <= rounds; round++) {
    for (const c of cases) {
      const order = round % 2 ? ['gnu', 'kiln'] : ['kiln', 'gnu'];
      for (const tool of order) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        await run(['sync']);
        const m =
          tool === 'gnu' ? await gnuTar(c.gnuArgs, dir, tmp) : await kiln({ repo, node }, c.input, dir);
        if (tool === 'kiln') {
          entries = m.entries;
          bytes = m.bytes;
          nodeVersion = m.node;
        }
        runs.get(c.name)[tool].push(m);
        log(
          `[extract r${round}] ${c.name.padEnd(6)} ${tool === 'gnu' ? 'GNU tar' : 'Kiln   '}: ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU`,
        );
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const pick = (ms, k) => median(ms.map((m) => m[k]));
  return {
    rounds,
    node: nodeVersion,
    entries,
    bytes,
    inputs: cases.map((c) => {
      const r = runs.get(c.name);
      return {
        name: c.name,
        gnu: { wall: pick(r.gnu, 'wall'), cpu: pick(r.gnu, 'cpu') },
        kiln: { wall: pick(r.kiln, 'wall'), cpu: pick(r.kiln, 'cpu'), mainCpu: pick(r.kiln, 'mainCpu') },
      };
    }),
  };
}
