/** The CLI names the settings of library hints by its flags, in errors and warnings; refused kaniko flags exit 2. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { runCli } from './run-cli.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-cli-hints-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('an error names the flags to use', async () => {
  const r = await runCli(['build', '--no-push', '--context', '.', '--dockerfile', 'nope/Dockerfile'], {
    cwd: dir,
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('no such file: name the Dockerfile with --dockerfile (relative to --context)');
  expect(r.stderr).not.toContain('{{');
});

test('a warning names the flags to use', async () => {
  await fs.writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nLABEL a=b\n');
  const r = await runCli(['build', '--no-push', '--cache'], { cwd: dir });
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(
    '--cache: no --cache-repo, --cache-dir or --destination to derive a cache repository from',
  );
});

test('a refused kaniko flag is a usage error naming it and why', async () => {
  const r = await runCli(['build', '--no-push', '--registry-mirror', 'mirror.gcr.io'], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(
    'kiln: flag --registry-mirror is not supported: registry mirrors are not supported yet: name the mirror in FROM (e.g. mirror.example/library/alpine)\n',
  );
});
