/**
 * Memory benchmark of the registry client: push and pull a 1 GiB layer
 * through a real docker-registry and report the peak RSS of the process
 * doing it (limit: 150 MiB).
 *
 *   npx tsx bench/registry-memory.ts [--size-mib 1024] [--chunk-mib N] [--no-reclaim]
 *
 * KILN_BENCH_NODE=/usr/bin/node runs the worker under another Node (GitHub
 * runs Node 24, which npx here resolves to); KILN_BENCH_NODE_FLAGS adds flags.
 * --no-reclaim turns off the client's periodic minor GC (src/registry/reclaim.ts).
 *
 * This process starts the registry and generates the layer (a tar holding
 * one file of pseudo-random bytes, gzip level 1) streamed into a temp file,
 * never held in memory. The push and pull run in a separate Node process
 * from an ncc bundle of bench/registry-memory-worker.ts, the way the action
 * runs from dist/, so the number is the client's and not tsx's or the
 * generator's. Exits 1 when the peak RSS exceeds the limit.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { startRegistry } from '../__tests__/lab/registry.js';
import { DigestingStream } from '../src/image/digest.js';

const LIMIT_MIB = 150;
const MiB = 1024 * 1024;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A ustar header for one regular file. */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** A tar with one file of `size` pseudo-random bytes (AES-CTR keystream), streamed. */
async function* tarStream(size: number): AsyncGenerator<Buffer> {
  yield tarHeader('big.bin', size);
  const cipher = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16));
  const zeros = Buffer.alloc(MiB);
  for (let left = size; left > 0; left -= MiB)
    yield cipher.update(left >= MiB ? zeros : zeros.subarray(0, left));
  yield Buffer.alloc(((512 - (size % 512)) % 512) + 1024);
}

interface WorkerReport {
  node: string;
  baselineMiB: number;
  phases: { name: string; peakMiB: number; arrayBuffersMiB: number; heapMiB: number; seconds: number }[];
  peakMiB: number;
}

async function main(): Promise<void> {
  const sizeMiB = arg('size-mib', 1024);
  const chunkMiB = arg('chunk-mib', 0);
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-'));
  const reg = await startRegistry();
  try {
    const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
    execFileSync(
      process.execPath,
      [ncc, 'build', join(root, 'bench', 'registry-memory-worker.ts'), '-o', join(dir, 'worker'), '--quiet'],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );

    const path = join(dir, 'layer.tar.gz');
    const diff = new DigestingStream();
    const comp = new DigestingStream();
    const t = Date.now();
    await pipeline(
      Readable.from(tarStream(sizeMiB * MiB)),
      diff,
      createGzip({ level: 1 }),
      comp,
      createWriteStream(path),
    );
    console.log(
      `layer: ${sizeMiB} MiB uncompressed, ${(comp.size / MiB).toFixed(0)} MiB gzip, generated in ${((Date.now() - t) / 1000).toFixed(1)} s; ` +
        (chunkMiB ? `chunked upload (${chunkMiB} MiB)` : 'monolithic upload') +
        (process.argv.includes('--no-reclaim') ? ', no reclaimer' : ''),
    );

    const job = {
      host: reg.host,
      path,
      digest: comp.digest,
      diffId: diff.digest,
      size: comp.size,
      ...(chunkMiB ? { chunkSize: chunkMiB * MiB } : {}),
      reclaim: !process.argv.includes('--no-reclaim'),
    };
    // Async: the registry's log pipes must keep draining while the worker runs.
    const { stdout } = await promisify(execFile)(
      process.env.KILN_BENCH_NODE ?? process.execPath,
      [
        ...(process.env.KILN_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
        join(dir, 'worker', 'index.js'),
        JSON.stringify(job),
      ],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as WorkerReport;
    console.log(`worker: Node ${report.node}, RSS at start ${report.baselineMiB.toFixed(0)} MiB`);
    for (const p of report.phases) {
      console.log(
        `  ${p.name.padEnd(28)} peak RSS ${String(p.peakMiB).padStart(4)} MiB  (JS heap ${p.heapMiB}, buffers ${p.arrayBuffersMiB} MiB; ${p.seconds.toFixed(1)} s)`,
      );
    }
    console.log(
      `peak RSS of the push+pull process: ${report.peakMiB.toFixed(0)} MiB (limit ${LIMIT_MIB} MiB)`,
    );
    if (report.peakMiB > LIMIT_MIB) {
      console.log('FAIL: over the limit');
      process.exitCode = 1;
    } else {
      console.log('OK');
    }
  } finally {
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
