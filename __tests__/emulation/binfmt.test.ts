import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { findHandler, handlerMatches, parseHandler } from '../../src/emulation/binfmt.js';
import { elfHeaders, qemuName, runsNatively } from '../../src/emulation/elf-machine.js';
import { parsePlatform } from '../../src/image/platform.js';

/** Magic, mask and flags of Debian 12's qemu-user-static registrations (/usr/lib/binfmt.d/qemu-*.conf). */
const DEBIAN: Record<string, [string, string, string]> = {
  aarch64: ['7f454c460201010000000000000000000200b700', 'ffffffffffffff00fffffffffffffffffeffffff', 'OPF'],
  arm: ['7f454c4601010100000000000000000002002800', 'ffffffffffffff00fffffffffffffffffeffffff', 'OPF'],
  s390x: ['7f454c4602020100000000000000000000020016', 'fffffffffffffffcfffffffffffffffffffeffff', 'OPF'],
  ppc64le: ['7f454c4602010100000000000000000002001500', 'fffffffffffffffcfffffffffffffffffeffff00', 'OPF'],
  riscv64: ['7f454c460201010000000000000000000200f300', 'ffffffffffffff00fffffffffffffffffeffffff', 'OPF'],
  mips64el: ['7f454c4602010100000000000000000002000800', 'ffffffffffffff00fefffffffffffffffeffffff', 'OPF'],
  loongarch64: [
    '7f454c4602010100000000000000000002000201',
    'fffffffffffffffc00fffffffffffffffeffffff',
    'OPF',
  ],
  ppc64: ['7f454c4602020100000000000000000000020015', 'fffffffffffffffcfffffffffffffffffffeffff', 'OPF'],
  mips: [
    '7f454c46010201000000000000000000000200080000000000000000000000000000000000000000',
    'ffffffffffffff00fefffffffffffffffffeffff0000000000000000000000000000000000000020',
    'OPF',
  ],
};

/** An entry file as the kernel shows it. */
function entryText(name: string, enabled = true, flags?: string): string {
  const [magic, mask, f] = DEBIAN[name]!;
  return [
    enabled ? 'enabled' : 'disabled',
    `interpreter /usr/libexec/qemu-binfmt/${name}-binfmt-P`,
    `flags: ${flags ?? f}`,
    'offset 0',
    `magic ${magic}`,
    `mask ${mask}`,
    '',
  ].join('\n');
}

const PLATFORM_OF: Record<string, string> = {
  aarch64: 'linux/arm64',
  arm: 'linux/arm/v7',
  s390x: 'linux/s390x',
  ppc64le: 'linux/ppc64le',
  riscv64: 'linux/riscv64',
  mips64el: 'linux/mips64le',
  loongarch64: 'linux/loong64',
  ppc64: 'linux/ppc64',
  mips: 'linux/mips',
};

describe('ELF headers against Debian’s handlers', () => {
  test.each(Object.keys(DEBIAN))('qemu-%s matches its platform and no other', (name) => {
    const h = parseHandler(`qemu-${name}`, entryText(name))!;
    expect(h.flags).toBe('OPF');
    for (const [other, platform] of Object.entries(PLATFORM_OF)) {
      const headers = elfHeaders(parsePlatform(platform))!;
      expect([other, headers.some((b) => handlerMatches(h, b))]).toEqual([other, other === name]);
    }
    expect(elfHeaders(parsePlatform('linux/amd64'))!.some((b) => handlerMatches(h, b))).toBe(false);
  });

  test('qemu names, and what runs natively', () => {
    expect(qemuName(parsePlatform('linux/arm64'))).toBe('aarch64');
    expect(qemuName(parsePlatform('linux/amd64'))).toBe('x86_64');
    const amd64 = parsePlatform('linux/amd64');
    expect(runsNatively(parsePlatform('linux/amd64'), amd64)).toBe(true);
    expect(runsNatively(parsePlatform('linux/386'), amd64)).toBe(true);
    expect(runsNatively(parsePlatform('linux/arm64'), amd64)).toBe(false);
    expect(runsNatively(parsePlatform('linux/arm/v7'), parsePlatform('linux/arm64'))).toBe(true);
    expect(runsNatively(parsePlatform('windows/amd64'), amd64)).toBe(false);
  });

  test('an extension entry (E) is not a content match', () => {
    expect(
      parseHandler('py', 'enabled\ninterpreter /usr/bin/python3\nflags: \nextension .pyc\n'),
    ).toBeUndefined();
  });
});

describe('findHandler over a binfmt_misc directory', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-binfmt-'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  async function mount(name: string, entries: Record<string, string>, status = 'enabled'): Promise<string> {
    const dir = path.join(tmp, name);
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'register'), '');
    await fs.writeFile(path.join(dir, 'status'), `${status}\n`);
    for (const [n, text] of Object.entries(entries)) await fs.writeFile(path.join(dir, n), text);
    return dir;
  }

  const arm64 = parsePlatform('linux/arm64');

  test('a registered F handler is found', async () => {
    const dir = await mount('ok', { 'qemu-aarch64': entryText('aarch64'), 'qemu-arm': entryText('arm') });
    const r = await findHandler(arm64, dir);
    expect(r.kind).toBe('found');
    expect(r.kind === 'found' && r.handler.name).toBe('qemu-aarch64');
  });

  test('not mounted, no match, no F flag, disabled entry, disabled binfmt_misc', async () => {
    expect(await findHandler(arm64, path.join(tmp, 'absent'))).toEqual({
      kind: 'none',
      why: `binfmt_misc is not mounted at ${path.join(tmp, 'absent')}`,
    });
    const other = await mount('other', { 'qemu-arm': entryText('arm') });
    expect((await findHandler(arm64, other)).kind).toBe('none');
    const noF = await mount('nof', { 'qemu-aarch64': entryText('aarch64', true, 'OC') });
    const r = await findHandler(arm64, noF);
    expect(r.kind).toBe('unusable');
    expect(r.kind !== 'found' && r.why).toMatch(/without the F flag \(flags: OC\).*inside the build's root/);
    const off = await mount('off', { 'qemu-aarch64': entryText('aarch64', false) });
    expect(await findHandler(arm64, off)).toMatchObject({
      kind: 'unusable',
      why: `${off}/qemu-aarch64 is disabled`,
    });
    const globallyOff = await mount('globally-off', { 'qemu-aarch64': entryText('aarch64') }, 'disabled');
    expect(await findHandler(arm64, globallyOff)).toMatchObject({
      kind: 'unusable',
      why: expect.stringMatching(/binfmt_misc is disabled/),
    });
  });

  test('a disabled entry and an enabled F one for the same platform: the enabled one serves', async () => {
    const dir = await mount('two', {
      'a-old': entryText('aarch64', false),
      'qemu-aarch64': entryText('aarch64'),
    });
    expect(await findHandler(arm64, dir)).toMatchObject({ kind: 'found', handler: { name: 'qemu-aarch64' } });
  });
});
