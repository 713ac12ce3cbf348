/**
 * The RUN sandbox for real (root): environment, mounts, network, users,
 * working directory, failures, and containment.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { resolveUser } from '../../../src/executor/fs/user.js';
import { discoverHostTools } from '../../../src/executor/isolation/host-tools.js';
import { NamespaceSandbox } from '../../../src/executor/isolation/namespace.js';
import { isUnavailable, type Sandbox, SandboxError } from '../../../src/executor/isolation/sandbox.js';
import { selectSandbox } from '../../../src/executor/isolation/sandbox-select.js';
import { silentLogger } from '../../../src/log.js';
import { describeWith } from '../../lab/prereq.js';
import { makeBusyboxRootfs, tempDir } from '../busybox-rootfs.js';
import { runIn } from './sandbox-harness.js';

describeWith(
  { root: true, binaries: ['unshare', 'setpriv', 'busybox'] },
  'RUN sandbox (chroot, root)',
  () => {
    let dir: string;
    let root: string;
    let sandbox: Sandbox;
    const saved = { ...process.env };

    beforeAll(async () => {
      process.env.GITHUB_TOKEN = 'ghp_faketoken0123456789';
      process.env.INPUT_PASSWORD = 'hunter2-secret';
      process.env.LD_PRELOAD_TEST_MARK = 'runner-only';
      dir = tempDir('kiln-sandbox-');
      root = makeBusyboxRootfs(dir);
      const s = await selectSandbox('chroot', silentLogger, { scratchDir: dir });
      if (isUnavailable(s)) throw new Error(s.unavailable);
      sandbox = s;
    });
    afterAll(() => {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    });

    test('the environment is exactly the one given: nothing from the host or runner', async () => {
      const r = await runIn(sandbox, root, ['/bin/env'], {
        env: ['PATH=/bin', 'A=1', 'B=with space', 'C=x=y'],
      });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.trim().split('\n').sort()).toEqual(['A=1', 'B=with space', 'C=x=y', 'PATH=/bin']);
      expect(r.stdout).not.toContain('ghp_faketoken');
      expect(r.stdout).not.toContain('hunter2');
    });

    test('/proc, /dev/null, hosts and resolv.conf are there; no mount point is left in the rootfs', async () => {
      const r = await runIn(
        sandbox,
        root,
        'head -1 /proc/self/status; echo x > /dev/null && echo devnull-ok; cat /etc/resolv.conf; hostname; grep -c buildkitsandbox /etc/hosts; ls /dev; readlink /proc/self/fd/0',
        // On the host's network the RUN gets the host's resolv.conf (its own network: network.root.e2e).
        { network: 'host' },
      );
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/^Name:\s+head/m);
      expect(r.stdout).toContain('devnull-ok');
      expect(r.stdout).toContain(readFileSync('/etc/resolv.conf', 'utf8').trim());
      expect(r.stdout).toContain('buildkitsandbox\n1\n');
      for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'shm', 'fd', 'ptmx']) {
        expect(r.stdout.split('\n')).toContain(d);
      }
      expect(r.stdout.trim().endsWith('/dev/null')).toBe(true);
      for (const p of ['proc', 'dev', 'sys', 'etc/hosts', 'etc/resolv.conf'])
        expect(existsSync(join(root, p))).toBe(false);
    });

    test('writes to /etc/resolv.conf, /proc/sys and /sys are refused', async () => {
      const r = await runIn(
        sandbox,
        root,
        'echo x > /etc/resolv.conf && echo rw-resolv; echo h > /proc/sys/kernel/hostname && echo rw-procsys; echo 1 > /sys/kernel/profiling 2>/dev/null && echo rw-sys; echo h > /proc/sysrq-trigger && echo rw-sysrq; true',
      );
      expect(r.stdout).toBe('');
    });

    test("Docker's masks: /proc/kcore and /proc/timer_list empty, /proc/acpi and /sys/firmware empty read-only directories", async () => {
      const r = await runIn(
        sandbox,
        root,
        'for f in /proc/kcore /proc/timer_list; do [ -e $f ] && echo "$f $(wc -c < $f)"; done; for d in /proc/acpi /sys/firmware; do [ -d $d ] && echo "$d [$(ls -A $d)]"; touch $d/x 2>/dev/null && echo rw-$d; done; true',
      );
      expect(r.exitCode).toBe(0);
      const lines = r.stdout.trim().split('\n');
      // Each that this kernel has (checked on the host) is there and masked in the RUN; at least one is checked.
      const want = [
        ...['/proc/kcore', '/proc/timer_list'].filter((f) => existsSync(f)).map((f) => `${f} 0`),
        ...['/proc/acpi', '/sys/firmware'].filter((d) => existsSync(d)).map((d) => `${d} []`),
      ];
      expect(want.length).toBeGreaterThan(0);
      expect(lines).toEqual(want);
    });

    test('--network=none leaves only the loopback interface', async () => {
      const r = await runIn(sandbox, root, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '", {
        network: 'none',
      });
      expect(r.stdout.trim().split('\n')).toEqual(['lo']);
    });

    test('USER: uid, gid and supplementary groups from the image files', async () => {
      const user = await resolveUser(root, 'app');
      expect(user).toMatchObject({ uid: 1000, gid: 1000, groups: [10, 50] });
      const r = await runIn(sandbox, root, 'id -u; id -g; id -G; grep CapEff /proc/self/status', { user });
      expect(r.stdout.split('\n').slice(0, 3)).toEqual(['1000', '1000', '1000 10 50']);
      expect(r.stdout).toMatch(/CapEff:\s+0+\n/);
    });

    test("root gets Docker's default capability bounding set, CAP_NET_RAW only on the host's network", async () => {
      const r = await runIn(sandbox, root, 'grep CapBnd /proc/self/status');
      expect(r.stdout.trim()).toBe('CapBnd:\t00000000a80405fb');
      const host = await runIn(sandbox, root, 'grep CapBnd /proc/self/status', { network: 'host' });
      expect(host.stdout.trim()).toBe('CapBnd:\t00000000a80425fb');
    });

    test('WORKDIR is created when missing and is the working directory', async () => {
      const r = await runIn(sandbox, root, 'pwd', { cwd: '/work/deep/dir' });
      expect(r.stdout.trim()).toBe('/work/deep/dir');
      expect(statSync(join(root, 'work/deep/dir')).isDirectory()).toBe(true);
    });

    test('a failing command gives its exit code and the last output lines', async () => {
      const r = await runIn(
        sandbox,
        root,
        'for i in $(seq 1 100); do echo line$i; done; echo oops >&2; exit 7',
      );
      expect(r.exitCode).toBe(7);
      expect(r.tail.length).toBeLessThanOrEqual(30);
      expect(r.tail.slice(-2)).toEqual(['line100', 'oops']);
      const k = await runIn(sandbox, root, "sh -c 'kill -9 $$'; exit $?");
      expect(k.exitCode).toBe(137);
    });

    test('exec form with a missing program: 127', async () => {
      const r = await runIn(sandbox, root, ['no-such-program']);
      expect(r.exitCode).toBe(127);
    });

    test('no file descriptor but 0, 1 and 2 reaches the command', async () => {
      const r = await runIn(sandbox, root, ['/bin/ls', '/proc/self/fd']);
      // ls's own directory handle is the fourth.
      expect(r.stdout.trim().split('\n')).toEqual(['0', '1', '2', '3']);
    });

    test('the command cannot reach the workspace: paths, /proc/1/root, device nodes', async () => {
      const victim = join(dir, 'victim');
      const dev = execFileSync('stat', ['-c', '%d', dir], { encoding: 'utf8' }).trim();
      const major = Number(dev) >> 8;
      const minor = Number(dev) & 0xff;
      const r = await runIn(
        sandbox,
        root,
        [
          `echo x > /../../../../${victim} 2>/dev/null`,
          `echo x > /proc/1/root/../../../${victim} 2>/dev/null`,
          `mknod /tmp/disk b ${major} ${minor} && (head -c 1 /tmp/disk >/dev/null 2>&1 && echo read-disk || echo disk-denied)`,
          'cut -d" " -f5 /proc/self/mountinfo',
          'true',
        ].join('; '),
      );
      expect(existsSync(victim)).toBe(false);
      expect(r.stdout).toContain('disk-denied');
      expect(r.stdout).not.toContain('read-disk');
      const mountPoints = r.stdout.trim().split('\n').slice(1);
      expect(mountPoints[0]).toBe('/');
      for (const m of mountPoints.slice(1))
        expect(m).toMatch(/^\/(proc|dev|sys|etc\/hosts$|etc\/resolv\.conf$)/);
      rmSync(join(root, 'tmp/disk'), { force: true });
    });

    test('an aborted RUN is killed with everything it started', async () => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 300);
      const p = runIn(sandbox, root, '(sleep 2; touch /late) & sleep 2; touch /late2', { signal: ac.signal });
      await expect(p).rejects.toThrow(SandboxError);
      await new Promise((r) => setTimeout(r, 2500));
      expect(existsSync(join(root, 'late'))).toBe(false);
      expect(existsSync(join(root, 'late2'))).toBe(false);
    });

    test('LD_* variables reach the command through the image shell; without a shell they are refused', async () => {
      const r = await runIn(sandbox, root, ['/bin/env'], {
        env: ['PATH=/bin', 'LD_LIBRARY_PATH=/opt/lib', 'X=1'],
      });
      expect(r.stdout).toContain('LD_LIBRARY_PATH=/opt/lib\n');
      expect(r.stdout).toContain('X=1\n');
      const bare = join(dir, 'bare');
      mkdirSync(bare);
      execFileSync('cp', ['/bin/busybox', join(bare, 'busybox')]);
      const ok = await runIn(sandbox, bare, ['/busybox', 'echo', 'no-shell-ok'], { env: ['PATH=/'] });
      expect(ok.stdout).toBe('no-shell-ok\n');
      await expect(runIn(sandbox, bare, ['/busybox', 'true'], { env: ['LD_PRELOAD=/x.so'] })).rejects.toThrow(
        /no \/bin\/sh/,
      );
    });

    test("a root path with spaces and quotes ($, ', `) works", async () => {
      const odd = join(dir, "we ird 'dir' $(x) `y`");
      mkdirSync(odd);
      const oddRoot = makeBusyboxRootfs(odd);
      const r = await runIn(sandbox, oddRoot, 'echo ok; ls /', { cwd: "/wd 'q'" });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['ok', "wd 'q'"]));
    });

    test('rootless code path (user namespace) works and refuses non-root users', async () => {
      const rootless = new NamespaceSandbox('rootless', await discoverHostTools(), {
        scratchDir: dir,
        log: silentLogger,
      });
      const r = await runIn(rootless, root, 'id -u; cat /proc/self/uid_map');
      expect(r.exitCode).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe('0');
      await expect(
        runIn(rootless, root, 'id', { user: { uid: 1000, gid: 1000, groups: [] } }),
      ).rejects.toThrow(/rootless isolation maps only root/);
    });
  },
);

describeWith(
  { root: true, binaries: ['unshare', 'setpriv', 'busybox', 'gcc'] },
  'RUN sandbox containment (gcc)',
  () => {
    let dir: string;
    let root: string;
    let sandbox: Sandbox;

    beforeAll(async () => {
      dir = tempDir('kiln-escape-');
      root = makeBusyboxRootfs(dir);
      const s = await selectSandbox('chroot', silentLogger, { scratchDir: dir });
      if (isUnavailable(s)) throw new Error(s.unavailable);
      sandbox = s;
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('the classic chroot escape (chroot into a subdir, climb ..) does not reach the workspace', async () => {
      const victim = join(dir, 'ESCAPED');
      const src = join(dir, 'escape.c');
      require_writeFile(
        src,
        `#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
int main(void) {
  mkdir("/escdir", 0755);
  if (chroot("/escdir") != 0) perror("chroot");
  for (int i = 0; i < 256; i++) chdir("..");
  if (chroot(".") != 0) perror("chroot .");
  int fd = open("${victim}", O_CREAT | O_WRONLY, 0644);
  printf("fd=%d\\n", fd);
  return 0;
}
`,
      );
      execFileSync('gcc', ['-static', '-O0', '-o', join(root, 'escape'), src]);
      const r = await runIn(sandbox, root, ['/escape']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe('fd=-1\n');
      expect(existsSync(victim)).toBe(false);
    });
  },
);

function require_writeFile(path: string, text: string): void {
  execFileSync('sh', ['-c', 'cat > "$1"', 'sh', path], { input: text });
}
