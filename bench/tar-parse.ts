/**
 * Parse-only throughput of a tar reader (no extraction): every header is
 * parsed and every body byte handed out, as an extraction would take them.
 * One reader per process, so peak RSS is that reader's. Prints one JSON line.
 *
 *   node --import tsx bench/tar-parse.ts <file.tar> kiln
 *   node --import tsx bench/tar-parse.ts <file.tar> node-tar <dir with node_modules/tar>
 *
 * node-tar is not a dependency: install it in a scratch directory
 * (`npm install tar` there) and name that directory. Issue 12 item 7's
 * measurement; its result is written at the top of src/archive/tar-reader.ts.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { readTar } from '../src/archive/tar-reader.js';

const [input, reader, nodeTarDir] = process.argv.slice(2);
if (!input || (reader !== 'kiln' && reader !== 'node-tar') || (reader === 'node-tar' && !nodeTarDir))
  throw new Error('usage: tar-parse.ts <file.tar> kiln | node-tar <dir with node_modules/tar>');

interface NodeTarEntry {
  on(event: 'data', f: (c: Buffer) => void): void;
}
interface NodeTar {
  Parser: new (opts: { onReadEntry?: (e: NodeTarEntry) => void }) => NodeJS.WritableStream;
}

const open = () => createReadStream(input, { highWaterMark: 1 << 20 });
let entries = 0;
let bytes = 0;
const load =
  reader === 'node-tar'
    ? await import(pathToFileURL(join(nodeTarDir!, 'node_modules/tar/dist/esm/index.js')).href)
    : undefined;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
if (reader === 'kiln') {
  for await (const e of readTar(open())) {
    entries++;
    for await (const c of e.chunks()) bytes += c.length;
  }
} else {
  const tar = load as NodeTar;
  const parser = new tar.Parser({
    onReadEntry: (e) => {
      entries++;
      e.on('data', (c) => {
        bytes += c.length;
      });
    },
  });
  await pipeline(open(), parser);
}
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    reader,
    wall,
    cpu: (cpu.user + cpu.system) / 1e6,
    rssMiB: process.resourceUsage().maxRSS / 1024,
    entries,
    bytes,
    node: process.version,
  }),
);
