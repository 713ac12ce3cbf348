/**
 * The README's first command, exactly: `npm start` builds examples/hello
 * (FROM scratch, COPY, ENV, LABEL, CMD) with the committed CLI bundle, no
 * registry and no root, into out/hello-oci and out/hello.tar; umoci and
 * skopeo accept both with the Dockerfile's CMD, ENV and LABEL.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@jest/globals';
import { describeWith } from './lab/prereq.js';

const run = promisify(execFile);
// CMD's exec form is not expanded: the literal text stays in the image.
const CMD = ['/bin/hello', '--greeting', '$' + '{GREETING}'];
const repo = path.resolve(import.meta.dirname, '..');

describeWith({ binaries: ['npm', 'umoci', 'skopeo'] }, 'README: npm start', () => {
  test('builds examples/hello into an OCI layout and a docker-archive that umoci and skopeo accept', async () => {
    await fs.rm(path.join(repo, 'out'), { recursive: true, force: true });
    const { stdout } = await run('npm', ['start', '--silent'], { cwd: repo });
    const digest = stdout.trim().split('\n').pop();
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);

    const bundle = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-readme-'));
    try {
      await run('umoci', [
        'unpack',
        '--rootless',
        '--image',
        `${path.join(repo, 'out/hello-oci')}:latest`,
        `${bundle}/b`,
      ]);
      const root = `${bundle}/b/rootfs`;
      expect(await fs.readFile(`${root}/hello.txt`, 'utf8')).toContain('Hello from an image built by Kiln');
      expect(await fs.readFile(`${root}/srv/site/index.html`, 'utf8')).toContain('Built by Kiln');
      await expect(fs.stat(`${root}/NOTES.md`)).rejects.toThrow(/ENOENT/); // .dockerignore
      const runtime = JSON.parse(await fs.readFile(`${bundle}/b/config.json`, 'utf8'));
      expect(runtime.process.args).toEqual(CMD);
      expect(runtime.process.env).toContain('GREETING=hello from kiln');
      expect(runtime.process.cwd).toBe('/srv');
    } finally {
      await fs.rm(bundle, { recursive: true, force: true });
    }

    const { stdout: inspect } = await run('skopeo', [
      'inspect',
      '--config',
      `docker-archive:${path.join(repo, 'out/hello.tar')}`,
    ]);
    const config = JSON.parse(inspect);
    expect(config.config.Cmd).toEqual(CMD);
    expect(config.config.Env).toEqual(['PATH=/bin', 'GREETING=hello from kiln']);
    expect(config.config.Labels['org.opencontainers.image.title']).toBe('kiln hello example');
  });
});
