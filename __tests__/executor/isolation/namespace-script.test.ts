import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import type { HostTools } from '../../../src/executor/isolation/host-tools.js';
import { buildScript, finalArgs } from '../../../src/executor/isolation/namespace-script.js';
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

describe('selectSandbox', () => {
  test('--isolation none: unavailable, saying how to get RUN', async () => {
    const s = await selectSandbox('none', silentLogger);
    expect(isUnavailable(s)).toBe(true);
    expect(isUnavailable(s) && s.unavailable).toMatch(
      /\{\{isolation none\}\}.*\{\{isolation auto\}\}, chroot or rootless/,
    );
  });
});
