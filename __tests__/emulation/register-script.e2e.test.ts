/**
 * The registration script of `setup_qemu`, run as root of a user namespace
 * against a binfmt_misc mount of its own (the kernel gives each user
 * namespace one): the machine's registrations are never touched.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { findHandler } from '../../src/emulation/binfmt.js';
import { registerScript } from '../../src/emulation/register-script.js';
import { parsePlatform } from '../../src/image/platform.js';
import { describeWith } from '../lab/prereq.js';

const run = promisify(execFile);

describeWith({ binaries: ['unshare', 'qemu-aarch64-static'] }, 'setup_qemu’s registration script', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-register-'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  async function scriptFor(name: string, conf?: string) {
    const dir = path.join(tmp, name, 'binfmt_misc');
    const definitions = path.join(tmp, name, 'binfmt.d');
    await fs.mkdir(dir, { recursive: true });
    await fs.mkdir(definitions, { recursive: true });
    await fs.writeFile(
      path.join(definitions, 'qemu-aarch64.conf'),
      conf ?? (await fs.readFile('/usr/lib/binfmt.d/qemu-aarch64.conf', 'utf8')),
    );
    return { dir, script: registerScript(['aarch64'], { dir, definitions }) };
  }

  /** `sh -c` of these lines as root of a new user and mount namespace; its stdout. */
  async function inUserns(...lines: string[]): Promise<string> {
    const { stdout } = await run('unshare', [
      '--user',
      '--map-root-user',
      '--mount',
      'sh',
      '-c',
      lines.join('\n'),
    ]);
    return stdout;
  }

  async function lookup(dir: string, out: string) {
    // The namespace's mount is gone: read the entry back from the script's output.
    await fs.writeFile(path.join(dir, 'register'), '');
    await fs.writeFile(path.join(dir, 'qemu-aarch64'), out);
    return findHandler(parsePlatform('linux/arm64'), dir);
  }

  test('mounts binfmt_misc and registers Debian’s definition (F kept)', async () => {
    const { dir, script } = await scriptFor('plain');
    const out = await inUserns(script, `cat ${dir}/qemu-aarch64`);
    expect(out).toContain('registered qemu-aarch64');
    const entry = out.slice(out.indexOf('enabled'));
    expect(entry).toMatch(/^flags: .*F/m);
    expect((await lookup(dir, entry)).kind).toBe('found');
  });

  test('adds F to a definition without it, and re-registers an entry without F', async () => {
    const debian = await fs.readFile('/usr/lib/binfmt.d/qemu-aarch64.conf', 'utf8');
    const noF = debian.trim().replace(/:[A-Z]*$/, ':OC');
    const { dir, script } = await scriptFor('no-f', `# a comment\n\n${noF}\n`);
    const before = `mount -t binfmt_misc none ${dir} && printf '%s' '${noF}' > ${dir}/register && grep flags ${dir}/qemu-aarch64`;
    const out = await inUserns(before, script, `cat ${dir}/qemu-aarch64`);
    expect(out).toContain('flags: OC\n');
    expect(out).toContain('registered qemu-aarch64');
    expect(out.slice(out.lastIndexOf('enabled'))).toMatch(/^flags: OCF$/m);
  });

  test('an entry with F is left alone', async () => {
    const { dir, script } = await scriptFor('kept');
    const debian = (await fs.readFile('/usr/lib/binfmt.d/qemu-aarch64.conf', 'utf8')).trim();
    const before = `mount -t binfmt_misc none ${dir} && printf '%s' '${debian}' > ${dir}/register`;
    const out = await inUserns(before, script);
    expect(out).not.toContain('registered');
  });

  test('CPU names are checked', () => {
    expect(() => registerScript(['aarch64; rm -rf /'])).toThrow(/invalid QEMU CPU name/);
  });
});
