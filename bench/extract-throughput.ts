/**
 * Extraction of one layer tar (plain or gzip'd) into an empty directory by
 * Kiln's extractLayer, through the same gunzip path a pulled layer takes.
 * Prints one JSON line: wall seconds, CPU seconds of this process (every
 * thread), entries and bytes. The harness (bench/run.mjs) runs GNU tar on
 * the same input beside it.
 *
 *   node --import tsx bench/extract-throughput.ts <layer.tar|layer.tar.gz> <empty-dir> [workers]
 */
import { createReadStream, readFileSync } from 'node:fs';
import { extractLayer } from '../src/archive/extract.js';
import { detectXattrs } from '../src/archive/xattr.js';
import { MediaType } from '../src/image/media-types.js';
import { uncompressed } from '../src/registry/remote-blob.js';

const [input, dir, workers] = process.argv.slice(2);
if (!input || !dir) throw new Error('usage: extract-throughput.ts <layer.tar[.gz]> <empty-dir> [workers]');
const mediaType = input.endsWith('.gz') ? MediaType.OciLayerGzip : MediaType.OciLayer;
/** CPU seconds of the main thread alone (the file pool's threads excluded). */
function mainThreadCpu(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const main0 = mainThreadCpu();
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const stats = await extractLayer(
  uncompressed(mediaType, () => createReadStream(input, { highWaterMark: 1 << 20 })),
  dir,
  { xattrs: detectXattrs(), workers: workers === undefined ? undefined : Number(workers) },
);
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    wall,
    cpu: (cpu.user + cpu.system) / 1e6,
    mainCpu: mainThreadCpu() - main0,
    user: cpu.user / 1e6,
    sys: cpu.system / 1e6,
    entries: stats.entries,
    bytes: stats.bytes,
    node: process.version,
  }),
);
