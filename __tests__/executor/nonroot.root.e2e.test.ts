/**
 * Kiln without root (a laptop, a locked-down pod): a Dockerfile without RUN
 * builds, and the layers carry the owners the Dockerfile asks for (0:0, or
 * --chown), not the user Kiln ran as. Run as `nobody` through runuser.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { describeWith } from '../lab/prereq.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

describeWith({ root: true, binaries: ['runuser', 'tar'] }, 'kiln build as an ordinary user', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-nonroot-'));
    await fs.chmod(tmp, 0o755);
    for (const d of ['bin', 'dist', 'package.json'])
      await fs.cp(path.join(repo, d), path.join(tmp, 'kiln', d), { recursive: true });
    await fs.mkdir(path.join(tmp, 'ctx/sub'), { recursive: true });
    await fs.writeFile(
      path.join(tmp, 'ctx/Dockerfile'),
      'FROM scratch\nCOPY a /opt/app/a\nCOPY --chown=1000:1000 sub/ /home/u/\nWORKDIR /srv/data\n',
    );
    await fs.writeFile(path.join(tmp, 'ctx/a'), 'a');
    await fs.writeFile(path.join(tmp, 'ctx/sub/b'), 'b');
    await run('chown', ['-R', 'nobody', tmp]);
  });
  afterAll(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('layers carry 0:0 and --chown owners, parents included, not the building user', async () => {
    const out = path.join(tmp, 'oci');
    await run(
      'runuser',
      [
        '-u',
        'nobody',
        '--',
        process.execPath,
        `${tmp}/kiln/bin/kiln.js`,
        'build',
        '--context',
        `${tmp}/ctx`,
        '--no-push',
        '--oci-layout-path',
        out,
      ],
      {
        env: { PATH: process.env.PATH, HOME: tmp },
      },
    );
    const index = JSON.parse(await fs.readFile(path.join(out, 'index.json'), 'utf8'));
    const manifest = JSON.parse(
      await fs.readFile(path.join(out, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'),
    );
    const listing: string[] = [];
    for (const l of manifest.layers) {
      const { stdout } = await run('tar', [
        '--numeric-owner',
        '-tvzf',
        path.join(out, 'blobs/sha256', l.digest.slice(7)),
      ]);
      listing.push(...stdout.trim().split('\n'));
    }
    const owners = Object.fromEntries(listing.map((l) => [l.split(/\s+/).pop(), l.split(/\s+/)[1]]));
    expect(owners).toEqual({
      'opt/': '0/0',
      'opt/app/': '0/0',
      'opt/app/a': '0/0',
      'home/': '1000/1000', // created by COPY --chown: BuildKit chowns created parents too
      'home/u/': '1000/1000',
      'home/u/b': '1000/1000',
      'srv/': '0/0',
      'srv/data/': '0/0',
    });
  });
});
