import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { contextArchive, unpackContext } from '../../src/cli/context-archive.js';
import { runCli } from './run-cli.js';

const run = promisify(execFile);
let dir = '';
let tarball = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kiln-ctx-archive-'));
  const src = path.join(dir, 'src');
  await mkdir(path.join(src, 'app'), { recursive: true });
  await writeFile(path.join(src, 'Dockerfile'), 'FROM scratch\nCOPY app/ /app/\nCMD ["/app/run"]\n');
  await writeFile(path.join(src, 'app/run'), 'hello from a tar context\n');
  // GNU tar, gzip-compressed: what `tar -czf - . | kaniko --context tar://stdin` sends.
  tarball = path.join(dir, 'context.tar.gz');
  await run('tar', ['-czf', tarball, '-C', src, '.']);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const kiln = (argv: string[], stdin?: Buffer) => runCli(argv, { cwd: dir, stdin });

describe('--context tar://', () => {
  test('names the archive; directories and dir:// are not archives', () => {
    expect(contextArchive('tar://ctx.tar.gz')).toBe('ctx.tar.gz');
    expect(contextArchive('tar://stdin')).toBe('stdin');
    expect(contextArchive('dir:///x')).toBeUndefined();
    expect(contextArchive('.')).toBeUndefined();
    expect(() => contextArchive('tar://')).toThrow(/name the archive/);
  });

  test.each([
    ['a file', false],
    ['stdin', true],
  ])('builds from %s and removes what it unpacked', async (_what, viaStdin) => {
    const parent = path.join(dir, viaStdin ? 'ws-stdin' : 'ws-file');
    const oci = path.join(dir, viaStdin ? 'oci-stdin' : 'oci-file');
    const r = await kiln(
      [
        'build',
        '--context',
        viaStdin ? 'tar://stdin' : 'tar://context.tar.gz',
        '--no-push',
        '--oci-layout-path',
        oci,
        '--workspace',
        parent,
      ],
      viaStdin ? await readFile(tarball) : undefined,
    );
    expect(r.stderr).toContain('context: unpacked tar://');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    expect(await readdir(parent)).toEqual([]);
    const blob = (d: string) => path.join(oci, 'blobs/sha256', d.slice('sha256:'.length));
    const index = JSON.parse(await readFile(path.join(oci, 'index.json'), 'utf8'));
    const manifest = JSON.parse(await readFile(blob(index.manifests[0].digest), 'utf8'));
    const { stdout } = await run('tar', ['-xzOf', blob(manifest.layers[0].digest), 'app/run']);
    expect(stdout).toBe('hello from a tar context\n');
  });

  test('a file that is not a tar, or is missing, is a usage error naming the context', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'not an archive\n');
    const parent = path.join(dir, 'ws-bad');
    const bad = await kiln(['build', '--context', 'tar://notes.txt', '--no-push', '--workspace', parent]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--context tar://notes.txt: not a tar archive');
    const missing = await kiln(['build', '--context', 'tar://absent.tgz', '--no-push']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--context tar:\/\/absent\.tgz: .*absent\.tgz is not a file/);
    expect(await readdir(parent)).toEqual([]);
  });

  test('an entry that climbs out of the context (../../../escaped) is refused and lands nowhere', async () => {
    const evil = path.join(dir, 'evil.tar');
    const stage = path.join(dir, 'evil-src');
    await mkdir(stage, { recursive: true });
    await writeFile(path.join(stage, 'Dockerfile'), 'FROM scratch\n');
    // GNU tar keeps the ../ of a member name with -P.
    await run('tar', [
      '-cPf',
      evil,
      '-C',
      stage,
      '--transform',
      's,^Dockerfile,../../../escaped,',
      'Dockerfile',
    ]);
    expect((await run('tar', ['-tPf', evil])).stdout).toBe('../../../escaped\n');
    const parent = path.join(dir, 'ws-evil');
    const u = await unpackContext('evil.tar', { cwd: dir, parent }).catch((e: Error) => e);
    // context dir = <parent>/kiln-context-*/context: ../../../ would be <dir>.
    for (const p of [
      path.join(dir, 'escaped'),
      path.join(parent, 'escaped'),
      path.join(dir, '..', 'escaped'),
    ]) {
      await expect(readFile(p)).rejects.toThrow(/ENOENT/);
    }
    expect(u).toBeInstanceOf(Error);
    expect((u as Error).message).toMatch(/"\.\.\/\.\.\/\.\.\/escaped" climbs above the root/);
    expect(await readdir(parent)).toEqual([]);
  });
});
