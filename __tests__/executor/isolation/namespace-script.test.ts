import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import type { HostTools } from '../../../src/executor/isolation/host-tools.js';
import {
  buildScript,
  finalArgs,
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
    expect(script).toContain(`'/ws/it'\\''s $(root)'`);
    expect(script).toContain(`'etc/h'\\''o\`s\`ts'`);
    expect(script.split('$(root)').length).toBe(2);
    execFileSync('sh', ['-n'], { input: script }); // valid syntax
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
    expect(l).toContain(`'/bin/mount' --bind -o ro '/ws/run/seccomp' '/ws/jail''/kiln-seccomp'`);
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
