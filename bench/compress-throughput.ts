/**
 * Layer compression throughput per core: Kiln's writeLayerBlob (gzip -6
 * through node:zlib, sha256 of the tar and of the blob, written to a file)
 * on an input file, as bytes per CPU second of this process (zlib works on
 * libuv's pool threads; process.cpuUsage() counts every thread). Prints one
 * JSON line. The harness (bench/run.mjs) compares it with `gzip -6`.
 *
 *   node --import tsx bench/compress-throughput.ts <input> <output> [gzip|zstd] [level]
 */
import { createReadStream, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { writeLayerBlob } from '../src/image/layer.js';

const [input, output, kind = 'gzip', levelArg] = process.argv.slice(2);
if (!input || !output || (kind !== 'gzip' && kind !== 'zstd'))
  throw new Error('usage: compress-throughput.ts <input> <output> [gzip|zstd] [level]');
const level = levelArg === undefined ? undefined : Number(levelArg);
const bytes = statSync(input).size;
// Warm the page cache so the measurement is compression, not the disk.
for await (const _ of createReadStream(input, { highWaterMark: 1 << 20 })) {
  // read
}
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const layer = await writeLayerBlob(createReadStream(input, { highWaterMark: 1 << 20 }), output, {
  compression: kind,
  level,
});
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
await rm(output, { force: true });
console.log(
  JSON.stringify({
    bytes,
    compressed: layer.size,
    wall,
    cpu: (cpu.user + cpu.system) / 1e6,
    compression: kind,
    level: level ?? null,
    node: process.version,
  }),
);
