/**
 * Sockets, FIFOs and devices in the build context (issue 19 item 9): not
 * copied (as docker build), but no longer silently: one warning per COPY
 * names each with its kind. Root: mknod.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import { silentLogger } from '../../src/log.js';
import { describeWith } from '../lab/prereq.js';

describeWith({ root: true, binaries: ['mkfifo', 'mknod'] }, 'special files in the context', () => {
  let tmp: string;
  let server: net.Server;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-special-'));
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('COPY leaves them out and warns once with their paths and kinds', async () => {
    const ctx = path.join(tmp, 'ctx');
    fs.mkdirSync(path.join(ctx, 'run'), { recursive: true });
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\nCOPY pipe /single\n');
    fs.writeFileSync(path.join(ctx, 'app.txt'), 'app\n');
    execFileSync('mkfifo', [path.join(ctx, 'pipe')]);
    execFileSync('mknod', [path.join(ctx, 'run', 'null'), 'c', '1', '3']);
    server = net.createServer();
    await new Promise<void>((r) => server.listen(path.join(ctx, 'run', 'app.sock'), r));

    const warnings: string[] = [];
    const options = defaultBuildOptions(ctx, path.join(ctx, 'Dockerfile'));
    options.push = false;
    options.tarPath = path.join(tmp, 'image.tar');
    await build(options, { ...silentLogger, warn: (m) => void warnings.push(m) });

    const copyWarnings = warnings.filter((w) => /special file/.test(w));
    expect(copyWarnings).toHaveLength(2);
    expect(copyWarnings[0]).toMatch(
      /COPY: left out 3 special files of the build context \(sockets, FIFOs and devices are not copied\): pipe \(FIFO\), run\/app\.sock \(socket\), run\/null \(character device\)$/,
    );
    expect(copyWarnings[1]).toMatch(/COPY: left out 1 special file of the build context .*: pipe \(FIFO\)$/);
    const listing = execFileSync('tar', ['-xOf', options.tarPath, 'manifest.json']).toString();
    const layer = (JSON.parse(listing) as { Layers: string[] }[])[0]!.Layers[0]!;
    const files = execFileSync('sh', ['-c', `tar -xOf "$0" "$1" | tar -tzf -`, options.tarPath, layer])
      .toString()
      .split('\n');
    expect(files).toContain('ctx/app.txt');
    expect(files.filter((f) => /pipe|null|sock/.test(f))).toEqual([]);
  });
});
