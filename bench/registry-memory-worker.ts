/**
 * The measured half of bench/registry-memory.ts, run bundled (ncc, like
 * dist/) in its own Node process: push a layer file to a registry, pull it
 * back (compressed and verified, then uncompressed and checked against its
 * diff_id) and print the phases and the process's peak RSS as JSON.
 *
 * argv[2]: JSON { host, path, digest, diffId, size, chunkSize?, reclaim }
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileLayer, imageOf } from '../__tests__/lab/busybox-fixture.js';
import { DigestingStream, parseDigest } from '../src/image/digest.js';
import { MediaType } from '../src/image/media-types.js';
import { parseReference } from '../src/image/reference.js';
import { RegistryClient } from '../src/registry/client.js';
import { pullImage } from '../src/registry/pull.js';
import { pushImage } from '../src/registry/push.js';
import { noReclaimer } from '../src/registry/reclaim.js';

const MiB = 1024 * 1024;

interface Job {
  host: string;
  path: string;
  digest: string;
  diffId: string;
  size: number;
  chunkSize?: number;
  reclaim: boolean;
}

const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as Job;
  const baseline = process.memoryUsage.rss() / MiB;
  const phases: {
    name: string;
    peakMiB: number;
    arrayBuffersMiB: number;
    heapMiB: number;
    seconds: number;
  }[] = [];
  let max = 0;
  let maxAb = 0;
  let maxHeap = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    max = Math.max(max, m.rss);
    maxAb = Math.max(maxAb, m.arrayBuffers);
    maxHeap = Math.max(maxHeap, m.heapTotal);
  }, 20);
  const phase = async (name: string, fn: () => Promise<void>) => {
    max = process.memoryUsage.rss();
    const t = Date.now();
    await fn();
    max = Math.max(max, process.memoryUsage.rss());
    phases.push({
      name,
      peakMiB: Math.round(max / MiB),
      arrayBuffersMiB: Math.round(maxAb / MiB),
      heapMiB: Math.round(maxHeap / MiB),
      seconds: (Date.now() - t) / 1000,
    });
    maxAb = 0;
    maxHeap = 0;
  };
  const layer = fileLayer({
    path: job.path,
    digest: parseDigest(job.digest),
    diffId: parseDigest(job.diffId),
    size: job.size,
    mediaType: MediaType.OciLayerGzip,
  });
  const client = new RegistryClient({
    ...(job.chunkSize ? { chunkSize: job.chunkSize } : {}),
    ...(job.reclaim ? {} : { reclaimer: noReclaimer }),
  });
  const ref = parseReference(`${job.host}/bench/big:1`);
  try {
    await phase('push', async () => {
      await pushImage(client, [ref], imageOf([layer]));
    });
    await phase('pull (compressed, verified)', async () => {
      const pulled = await pullImage(client, ref);
      await pipeline(pulled.layers[0]!.open(), sink());
    });
    await phase('pull (uncompressed)', async () => {
      const pulled = await pullImage(client, ref);
      const d = new DigestingStream();
      await pipeline(pulled.layers[0]!.openUncompressed(), d, sink());
      if (d.digest !== layer.diffId) throw new Error('the uncompressed layer does not match its diff_id');
    });
  } finally {
    clearInterval(timer);
    await client.close();
  }
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({ node: process.version, baselineMiB: baseline, phases, peakMiB })}\n`,
  );
}

await main();
