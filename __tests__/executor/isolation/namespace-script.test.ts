import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import type { HostTools } from '../../../src/executor/isolation/host-tools.js';
import {
  buildScript,
  finalArgs,
  fstabField,
  GO_FD,
  type ScriptInput,
  STATUS_FD,
} from '../../../src/executor/isolation/namespace-script.js';
import { runNetwork } from '../../../src/executor/isolation/run-network.js';
import { isUnavailable } from '../../../src/executor/isolation/sandbox.js';
import { selectSandbox } from '../../../src/executor/isolation/sandbox-select.js';
import { q } from '../../../src/executor/isolation/script-quote.js';
import { silentLogger } from '../../../src/log.js';

const tools: HostTools = {
  shell: '/bin/bash',
  unshare: '/usr/bin/unshare',
  mount: '/bin/mount',
  umount: '/bin/umount',
  pivotRoot: '/sbin/pivot_root',
  setpriv: '/usr/bin/setpriv',
  env: '/usr/bin/env',
  mkdir: '/bin/mkdir',
  ln: '/bin/ln',
  base64: '/usr/bin/base64',
  chown: '/bin/chown',
  chmod: '/bin/chmod',
  jailFiles: [{ path: '/usr/bin/setpriv', source: '/usr/bin/setpriv' }],
};

describe('setup script', () => {
  const script = buildScript({
    kind: 'chroot',
    tools,
    jail: '/ws/run 1/jail',
    root: `/ws/it's $(root)`,
    mounts: { proc: 'proc', dev: 'dev', sys: 'sys', hosts: "etc/h'o`s`ts", resolvConf: 'etc/resolv.conf' },
    network: 'none',
    net: runNetwork('none', tools),
    hostname: 'buildkitsandbox',
    hostsFile: '/ws/run 1/hosts',
    resolvConfFile: '/etc/resolv.conf',
    user: { uid: 1000, gid: 1001, groups: [10, 50] },
  });

  test('every path is single-quoted', () => {
    expect(q(`a'b`)).toBe(`'a'\\''b'`);
    // (In fstab entries, inside one single-quoted printf argument.)
    expect(script).toContain(`'/ws/it'\\''s\\040$(root) `);
    expect(script).toContain(`/etc/h'\\''o\`s\`ts none bind,ro 0 0'`);
    expect(script.split('$(root)').length).toBe(2);
    execFileSync('sh', ['-n'], { input: script }); // valid syntax
  });

  test('mounts go in two batches (one mount process each), paths escaped for fstab', () => {
    expect(fstabField('/a b\tc\\d\ne')).toBe('/a\\040b\\011c\\134d\\012e');
    const lines = script.trim().split('\n');
    const batches = lines.filter((l) => l === `'/bin/mount' --all --fstab '/ws/run 1/jail/.kiln-fstab'`);
    expect(batches).toHaveLength(2);
    expect(script).toContain(`'/ws/it'\\''s\\040$(root) /ws/run\\0401/jail/newroot none bind,nodev 0 0'`);
    // The masks are added only for the entries the new /proc has, and before the second batch runs.
    const mask = lines.findIndex((l) => l.includes('/newroot/proc/kcore tmpfs'));
    expect(lines[mask]).toMatch(/^if \[ -d '\/ws\/run 1\/jail'\/newroot\/'proc'\/kcore \]; then printf/);
    expect(mask).toBeLessThan(lines.lastIndexOf(batches[1]!));
    // At most a handful of mount processes: the jail, two batches, sysfs (and its fallback).
    expect(lines.filter((l) => l.includes(`'/bin/mount' `)).length).toBeLessThanOrEqual(4);
  });

  test('pivots into the jail, unmounts the old root, drops to Docker caps, keeps groups', () => {
    const lines = script.trim().split('\n');
    const pivot = lines.findIndex((l) => l.includes('pivot_root'));
    const umount = lines.findIndex((l) => l.includes('-l /.old'));
    expect(pivot).toBeGreaterThan(0);
    expect(umount).toBeGreaterThan(pivot);
    const last = lines[lines.length - 1]!;
    expect(last).toMatch(/^exec '\/usr\/bin\/setpriv' --bounding-set=-all,\+chown,/);
    expect(last).toContain('--regid=1001 --groups=10,50');
    expect(last).toContain(`-- '/usr/bin/env' -i -- "$@"`);
    expect(
      finalArgs(tools, ['A=1'], '/w', { uid: 1000, gid: 1001, groups: [] }, ['/bin/sh', '-c', 'x']),
    ).toEqual([
      'A=1',
      '/usr/bin/unshare',
      '--root=/newroot',
      '--wd=/w',
      '--setuid=1000',
      '--',
      '/bin/sh',
      '-c',
      'x',
    ]);
  });
});

describe('the network and the seccomp filter in the script', () => {
  const base = {
    kind: 'chroot' as const,
    tools: { ...tools, slirp4netns: '/usr/bin/slirp4netns' },
    jail: '/ws/jail',
    root: '/ws/root',
    mounts: { proc: 'proc', dev: 'dev', sys: 'sys' },
    hostname: 'buildkitsandbox',
    user: { uid: 0, gid: 0, groups: [] },
  };
  const lines = (network: 'default' | 'host' | 'none', extra: Partial<ScriptInput> = {}) =>
    buildScript({ ...base, network, net: runNetwork(network, base.tools), ...extra })
      .trim()
      .split('\n');
  const caps = (l: string[]) => /--bounding-set=(\S+)/.exec(l[l.length - 1]!)?.[1] ?? '';

  test('default: a namespace of its own, slirp4netns waited for before the pivot, no CAP_NET_RAW', () => {
    expect(runNetwork('default', base.tools)).toEqual({
      unshareFlags: ['--net'],
      slirp: true,
      netRaw: false,
    });
    const l = lines('default');
    const announce = l.indexOf(`printf net >&${STATUS_FD}`);
    const wait = l.indexOf(`read -r go <&${GO_FD}`);
    const pivot = l.findIndex((x) => x.includes('pivot_root'));
    expect(announce).toBeGreaterThan(0);
    expect(wait).toBeGreaterThan(announce);
    expect(pivot).toBeGreaterThan(wait);
    expect(l.join('\n')).toContain(`0|1|2|${STATUS_FD}|${GO_FD})`);
    expect(caps(l)).not.toContain('net_raw');
    expect(caps(l)).toContain('+sys_chroot');
  });

  test('host: the host network, CAP_NET_RAW kept; none: no slirp; no slirp4netns: host network without CAP_NET_RAW', () => {
    expect(runNetwork('host', base.tools)).toEqual({ unshareFlags: [], slirp: false, netRaw: true });
    expect(caps(lines('host'))).toContain('+net_raw');
    expect(lines('host').join('\n')).not.toContain('read -r go');
    expect(runNetwork('none', base.tools)).toEqual({ unshareFlags: ['--net'], slirp: false, netRaw: false });
    expect(runNetwork('default', tools)).toEqual({ unshareFlags: [], slirp: false, netRaw: false });
  });

  test('the seccomp loader is bound into the jail and runs before setpriv; not under --security=insecure', () => {
    const l = lines('default', { seccompLoader: '/ws/run/seccomp' });
    expect(l).toContain(
      `printf '%s\\n' '/ws/run/seccomp /ws/jail/kiln-seccomp none bind,ro 0 0' >> '/ws/jail/.kiln-fstab'`,
    );
    expect(l[l.length - 1]).toMatch(/^exec \/kiln-seccomp '\/usr\/bin\/setpriv' /);
    const insecure = lines('default', { seccompLoader: '/ws/run/seccomp', security: 'insecure' });
    expect(insecure.join('\n')).not.toContain('kiln-seccomp');
  });
});

describe('selectSandbox', () => {
  test('--isolation none: unavailable, saying how to get RUN', async () => {
    const s = await selectSandbox('none', silentLogger);
    expect(isUnavailable(s)).toBe(true);
    expect(isUnavailable(s) && s.unavailable).toMatch(
      /\{\{isolation none\}\}.*\{\{isolation auto\}\}, chroot or rootless/,
    );
  });
});
