/**
 * File names in the build context that are not UTF-8 (issue 19 item 8):
 * `COPY .` carries them into the layer byte for byte, as docker build does;
 * checked with GNU tar's listing of the layer.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import { silentLogger } from '../../src/log.js';
import { describeWith } from '../lab/prereq.js';

/** `caf\xE9` (Latin-1 é, not UTF-8), a directory `d\xFF`, and a symlink whose target is not UTF-8. */
const CAFE = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
const DIR = Buffer.from([0x64, 0xff]);
const bytes = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

describeWith({ binaries: ['tar'] }, 'non-UTF-8 names in the context', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-names-'));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('COPY . keeps them byte for byte: file, directory, symlink target', async () => {
    const ctx = path.join(tmp, 'ctx');
    fs.mkdirSync(ctx);
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\n');
    const cafe = bytes(ctx, '/', CAFE);
    fs.writeFileSync(cafe, 'latin-1 name\n');
    fs.mkdirSync(bytes(ctx, '/', DIR));
    fs.writeFileSync(bytes(ctx, '/', DIR, '/', CAFE), 'inside\n');
    fs.symlinkSync(CAFE, bytes(ctx, '/link'));
    const LONG = bytes('x'.repeat(120), CAFE); // past the 100-byte ustar field: a PAX record of raw bytes
    fs.writeFileSync(bytes(ctx, '/', LONG), 'long\n');

    const options = defaultBuildOptions(ctx, path.join(ctx, 'Dockerfile'));
    options.push = false;
    options.tarPath = path.join(tmp, 'image.tar');
    await build(options, silentLogger);

    const out = path.join(tmp, 'archive');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xf', options.tarPath, '-C', out]);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      Layers: string[];
    }[];
    const layer = path.join(out, manifest[0]!.Layers[0]!);
    const listing = execFileSync('tar', ['-tvf', layer, '--quoting-style=literal']);
    const lines = listing
      .toString('latin1')
      .split('\n')
      .filter(Boolean)
      .map((l) => Buffer.from(l.replace(/^.*? ctx\//, 'ctx/'), 'latin1'));
    expect(lines).toContainEqual(bytes('ctx/', CAFE));
    expect(lines).toContainEqual(bytes('ctx/', DIR, '/'));
    expect(lines).toContainEqual(bytes('ctx/', DIR, '/', CAFE));
    expect(lines).toContainEqual(bytes('ctx/link -> ', CAFE));
    expect(lines).toContainEqual(bytes('ctx/', LONG));
    const unpacked = path.join(tmp, 'layer');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xf', layer, '-C', unpacked]);
    expect(fs.readFileSync(bytes(unpacked, '/ctx/', DIR, '/', CAFE), 'utf8')).toBe('inside\n');
    expect(fs.readlinkSync(bytes(unpacked, '/ctx/link'), { encoding: 'buffer' })).toEqual(CAFE);
  });
});
