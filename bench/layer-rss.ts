/**
 * Peak RSS and throughput of writeLayerBlob on a large real tar, compared
 * with the gzip/zstd programs on the same input.
 *
 *   npx tsx bench/layer-rss.ts [--mib 1024] [--compression gzip|zstd|none] [--level N] [--no-cli]
 *
 * The input is the first N MiB of `tar -c /usr`, kept in bench/.work/. RSS
 * is sampled every 20 ms and cross-checked with the kernel's maxRSS. Prints
 * numbers only; asserts nothing (noisy shared machines).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Compression } from '../src/image/compression.js';
import { writeLayerBlob } from '../src/image/layer.js';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '1024' },
    compression: { type: 'string', default: 'gzip' },
    level: { type: 'string' },
    'no-cli': { type: 'boolean', default: false },
  },
});
const mib = Number(values.mib);
const compression = values.compression as Compression;
const level = values.level ? Number(values.level) : undefined;
const work = join(import.meta.dirname, '.work');
const input = join(work, `usr-${mib}m.tar`);
const output = join(work, `layer.out`);
const MiB = 1024 * 1024;

async function ensureInput(): Promise<void> {
  await mkdir(work, { recursive: true });
  if (existsSync(input) && statSync(input).size === mib * MiB) return;
  process.stderr.write(`making ${input} (${mib} MiB of tar -c /usr)…\n`);
  const r = spawnSync('sh', ['-c', `tar -cf - -C / usr 2>/dev/null | head -c ${mib * MiB} > '${input}'`]);
  if (r.status !== 0 || statSync(input).size !== mib * MiB) throw new Error(`could not make ${input}`);
}

function timeProgram(cmd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn('sh', ['-c', cmd], { stdio: 'inherit' });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`${cmd}: exit ${code}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  });
}

const rate = (bytes: number, s: number) => `${(bytes / MiB / s).toFixed(1)} MiB/s`;

async function main(): Promise<void> {
  await ensureInput();
  // Warm the page cache so both sides read from memory.
  await timeProgram(`cat '${input}' > /dev/null`);

  if (!values['no-cli'] && compression !== 'none') {
    const lvl = level ?? (compression === 'gzip' ? 6 : 3);
    const s = await timeProgram(`${compression} -${lvl} -c < '${input}' > '${output}.cli'`);
    const size = statSync(`${output}.cli`).size;
    console.log(
      `${compression} -${lvl} program: ${s.toFixed(2)} s, ${rate(mib * MiB, s)}, out ${(size / MiB).toFixed(1)} MiB`,
    );
    await rm(`${output}.cli`, { force: true });
  }

  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = process.hrtime.bigint();
  const layer = await writeLayerBlob(createReadStream(input, { highWaterMark: MiB }), output, {
    compression,
    level,
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(
    `writeLayerBlob ${compression}${level ? ` -${level}` : ''} (node ${process.version}): ${s.toFixed(2)} s, ${rate(mib * MiB, s)}, out ${(layer.size / MiB).toFixed(1)} MiB`,
  );
  console.log(
    `RSS: before ${(baseline / MiB).toFixed(1)} MiB, peak sampled ${(peak / MiB).toFixed(1)} MiB, kernel maxRSS ${(maxRss / MiB).toFixed(1)} MiB (input ${mib} MiB)`,
  );
  console.log(`digest ${layer.digest}\ndiffID ${layer.diffId}`);
  await rm(output, { force: true });
}

await main();
