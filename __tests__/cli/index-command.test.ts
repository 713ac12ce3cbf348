/** `kiln index create` usage errors, and the multi-platform build flags refused before any work. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCli } from './run-cli.js';

describe('kiln index create', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-index-cli-'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  test('help', async () => {
    const r = await runCli(['index', 'create', '--help'], { cwd: tmp });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: kiln index create --tag REF');
    expect(r.stdout).toContain('--insecure-registry');
    expect((await runCli(['help', 'index'], { cwd: tmp })).stdout).toContain('kiln index create');
    expect((await runCli(['index'], { cwd: tmp })).code).toBe(2);
  });

  test.each([
    [['index', 'merge'], /unknown index command "merge"/],
    [['index', 'create', 'r.example/a@sha256:' + 'a'.repeat(64)], /no --tag given/],
    [['index', 'create', '--tag', 'r.example/a:1'], /no source given/],
    [
      ['index', 'create', '--tag', `r.example/a@sha256:${'b'.repeat(64)}`, 'r.example/a:2'],
      /--tag .*name a tag, not a digest/,
    ],
    [
      ['index', 'create', '--tag', 'r.example/a:1', 'r.example/A:x'],
      /source "r.example\/A:x": invalid image reference/,
    ],
  ])('%j is refused with exit 2', async (argv, message) => {
    const r = await runCli(argv, { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test('several platforms cannot go into a docker-archive: refused before anything is pulled', async () => {
    await fs.writeFile(path.join(tmp, 'Dockerfile'), 'FROM 127.0.0.1:9/base/busybox:1\n');
    const r = await runCli(
      [
        'build',
        '--context',
        tmp,
        '--no-push',
        '--tar-path',
        'out.tar',
        '--platform',
        'linux/amd64,linux/arm64',
      ],
      { cwd: tmp },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '--tar-path writes a docker-archive, which holds one platform; 2 were asked for',
    );
  });
});
