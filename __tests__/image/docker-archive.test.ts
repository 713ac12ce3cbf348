import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Layer } from '../../src/image/blob.js';
import { DockerArchiveError, dockerRepoTag, writeDockerArchive } from '../../src/image/docker-archive.js';
import { emptyImage, type Image } from '../../src/image/image.js';
import { writeLayerBlob } from '../../src/image/layer.js';
import { parsePlatform } from '../../src/image/platform.js';
import { gnuTarLayer, removeDir, tempDir } from './helpers.js';

let work: string;
let layers: Layer[];
let image: Image;

beforeAll(async () => {
  work = await tempDir();
  const tars = [await gnuTarLayer({ 'bin/a': 'a' }), await gnuTarLayer({ 'etc/b': 'b'.repeat(700) })];
  layers = await Promise.all(
    tars.map((t, i) =>
      writeLayerBlob(Readable.from([t]), join(work, `layer${i}`), { compression: i ? 'none' : 'gzip' }),
    ),
  );
  image = emptyImage(parsePlatform('linux/amd64'))
    .appendLayer(layers[0]!)
    .appendLayer(layers[1]!)
    .appendLayer(layers[0]!) // the same blob twice: stored once
    .withConfig((c) => {
      c.config.Env = ['A=1'];
    });
});
afterAll(() => removeDir(work));

const hex = (d: string) => d.slice(7);

describe('dockerRepoTag', () => {
  test.each([
    ['ubuntu', 'ubuntu', 'latest'],
    ['docker.io/library/ubuntu:22.04', 'ubuntu', '22.04'],
    ['bitnami/redis:7', 'bitnami/redis', '7'],
    ['ghcr.io/o/app:sha-1', 'ghcr.io/o/app', 'sha-1'],
    ['localhost:5000/app:v1', 'localhost:5000/app', 'v1'],
  ])('%s → %s:%s', (input, repo, tag) => {
    expect(dockerRepoTag(input)).toEqual({ repo, tag });
  });

  test('a digest-only reference is refused', () => {
    expect(() => dockerRepoTag(`app@sha256:${'a'.repeat(64)}`)).toThrow(DockerArchiveError);
  });
});

describe('writeDockerArchive', () => {
  test('GNU tar reads it; manifest.json, config, layers and repositories are right', async () => {
    const file = join(work, 'img.tar');
    await writeDockerArchive(file, image, { tags: ['app:1', 'ghcr.io/o/app:sha'] });
    const list = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
    const configName = `${hex(image.configDescriptor().digest)}.json`;
    const l0 = `${hex(layers[0]!.digest)}.tar.gz`;
    const l1 = `${hex(layers[1]!.digest)}.tar`;
    expect(list).toEqual(['manifest.json', configName, l0, l1, 'repositories']);
    const x = (name: string) => execFileSync('tar', ['-xOf', file, name], { maxBuffer: 1 << 26 });
    expect(JSON.parse(x('manifest.json').toString())).toEqual([
      { Config: configName, RepoTags: ['app:1', 'ghcr.io/o/app:sha'], Layers: [l0, l1, l0] },
    ]);
    expect(x(configName).equals(image.configBlob())).toBe(true);
    expect(x(l0).equals(await readFile(join(work, 'layer0')))).toBe(true);
    expect(x(l1).equals(await readFile(join(work, 'layer1')))).toBe(true);
    expect(JSON.parse(x('repositories').toString())).toEqual({
      app: { '1': hex(layers[0]!.digest) },
      'ghcr.io/o/app': { sha: hex(layers[0]!.digest) },
    });
    // GNU tar checks header checksums and sizes: a strict listing passes
    const verbose = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
    expect(verbose).toMatch(
      new RegExp(`root/root +${image.configBlob().length} 1970-01-01 00:00 ${configName}`),
    );
  });

  test('no tags: no repositories file, empty RepoTags', async () => {
    const file = join(work, 'untagged.tar');
    await writeDockerArchive(file, image);
    const list = execFileSync('tar', ['-tf', file], { encoding: 'utf8' });
    expect(list).not.toContain('repositories');
    expect(JSON.parse(execFileSync('tar', ['-xOf', file, 'manifest.json']).toString())[0].RepoTags).toEqual(
      [],
    );
  });

  test('a layer whose bytes do not match fails the write and leaves no file', async () => {
    const dir = await tempDir();
    const liar = { ...layers[0]!, open: () => Readable.from([Buffer.alloc(layers[0]!.size, 1)]) };
    const bad = emptyImage(parsePlatform('linux/amd64')).appendLayer(liar);
    await expect(writeDockerArchive(join(dir, 'bad.tar'), bad, { tags: ['x:1'] })).rejects.toThrow(
      /failed verification/,
    );
    expect(await readdir(dir)).toEqual([]);
    await removeDir(dir);
  });
});
