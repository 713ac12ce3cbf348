/**
 * The RUN seccomp filter and its loader, run for real on this host: the
 * refused system calls fail with EPERM (clone3 with ENOSYS), creating a user
 * namespace fails, everything else works, and the command gets its argv,
 * environment and exit status unchanged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { hostArch, seccompFilter } from '../../../src/executor/isolation/seccomp/filter.js';
import { seccompLoader } from '../../../src/executor/isolation/seccomp/loader.js';
import { SYSCALL_NUMBERS } from '../../../src/executor/isolation/seccomp/syscall-numbers.js';
import { describeWith } from '../../lab/prereq.js';

describe('seccompFilter', () => {
  for (const arch of ['x86_64', 'aarch64'] as const) {
    test(`${arch}: loads the ABI first, ends by refusing, fits the kernel's limit`, () => {
      const f = seccompFilter(arch);
      expect(f.length % 8).toBe(0);
      expect(f.length / 8).toBeLessThan(4096);
      // ld [4] (seccomp_data.arch)
      expect([f.readUInt16LE(0), f.readUInt32LE(4)]).toEqual([0x20, 4]);
      // last: ret SECCOMP_RET_ERRNO | EPERM
      expect([f.readUInt16LE(f.length - 8), f.readUInt32LE(f.length - 4)]).toEqual([0x06, 0x00050001]);
    });
  }
});

const host = hostArch();

describeWith({ root: true, binaries: ['perl', 'unshare'] }, 'the seccomp loader on this host', () => {
  let dir: string;
  let loader: string;
  beforeAll(() => {
    if (!host) throw new Error(`no seccomp filter for ${process.arch}`);
    dir = mkdtempSync(path.join(tmpdir(), 'kiln-seccomp-'));
    loader = path.join(dir, 'loader');
    writeFileSync(loader, seccompLoader(host));
    chmodSync(loader, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** errno text of a raw system call under the filter (perl's syscall()). */
  function errnoOf(nr: number, ...args: number[]): string {
    const script = `my $r = syscall(${[nr, ...args].join(', ')}); print $r < 0 ? "$!" : "ok";`;
    return execFileSync(loader, ['/usr/bin/perl', '-e', script], { encoding: 'utf8' });
  }

  test('refused system calls fail with EPERM, clone3 with ENOSYS, the rest work', () => {
    const n = SYSCALL_NUMBERS[host!] as Record<string, number>;
    expect(errnoOf(n.keyctl!, 0, -3)).toBe('Operation not permitted');
    expect(errnoOf(n.add_key!, 0, 0, 0, 0, 0)).toBe('Operation not permitted');
    expect(errnoOf(n.bpf!, 0, 0, 0)).toBe('Operation not permitted');
    expect(errnoOf(n.perf_event_open!, 0, 0, 0, 0, 0)).toBe('Operation not permitted');
    expect(errnoOf(n.clone3!, 0, 0)).toBe('Function not implemented');
    // Unfiltered, keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING) succeeds for root here.
    expect(
      execFileSync('/usr/bin/perl', ['-e', `print syscall(${n.keyctl}, 0, -3) < 0 ? "$!" : "ok"`], {
        encoding: 'utf8',
      }),
    ).toBe('ok');
  });

  test('no user namespace (even as root), no mount; fork, exec and unshare without flags work', () => {
    const userns = spawnSync(loader, ['/usr/bin/unshare', '--user', 'true'], { encoding: 'utf8' });
    expect(userns.status).not.toBe(0);
    expect(userns.stderr).toMatch(/Operation not permitted/);
    const mount = spawnSync(loader, ['/bin/sh', '-c', 'mount -t tmpfs kiln-seccomp-test /mnt'], {
      encoding: 'utf8',
    });
    expect(mount.status).not.toBe(0);
    expect(execFileSync(loader, ['/bin/sh', '-c', '/bin/echo forked; true'], { encoding: 'utf8' })).toBe(
      'forked\n',
    );
  });

  test('argv, environment and exit status pass through; a missing command is exit 126 with a message', () => {
    const r = spawnSync(
      loader,
      ['/bin/sh', '-c', 'printf "%s|" "$0" "$@" "$KILN_X"; exit 7', 'zero', 'a b', 'c'],
      {
        env: { KILN_X: 'x=y' },
        encoding: 'utf8',
      },
    );
    expect(r.stdout).toBe('zero|a b|c|x=y|');
    expect(r.status).toBe(7);
    const missing = spawnSync(loader, ['/nonexistent/program'], { encoding: 'utf8' });
    expect(missing.status).toBe(126);
    expect(missing.stderr).toMatch(/kiln: cannot put the RUN under its seccomp filter or start it/);
  });
});
