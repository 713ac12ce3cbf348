/**
 * RUN --mount in the real sandbox (root, chroot): every kind at targets
 * that exist and that do not, nested ones, read-only enforcement, secret
 * files and variables (never on any command line on the host), and no
 * mount point left in the root afterwards. Then the same mounts in rootless
 * isolation, as an unprivileged user.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { isUnavailable, type RunMountSpec, type Sandbox } from '../../../src/executor/isolation/sandbox.js';
import { selectSandbox } from '../../../src/executor/isolation/sandbox-select.js';
import { silentLogger } from '../../../src/log.js';
import { describeWith } from '../../lab/prereq.js';
import { makeBusyboxRootfs, tempDir } from '../busybox-rootfs.js';
import { REPO, runAsNobody, runIn } from './sandbox-harness.js';

const SECRET = 'kiln-e2e-s3cret-VALUE-7f3a';

function listing(root: string): string[] {
  return execFileSync('find', [root, '-mindepth', '1'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((p) => p.slice(root.length))
    .sort();
}

describeWith(
  { root: true, binaries: ['unshare', 'setpriv', 'busybox', 'base64'] },
  'RUN --mount in the chroot sandbox',
  () => {
    let dir: string;
    let root: string;
    let sandbox: Sandbox;
    let before: string[];

    beforeAll(async () => {
      dir = tempDir('kiln-mounts-');
      root = makeBusyboxRootfs(dir);
      mkdirSync(join(root, 'home/app'), { recursive: true });
      writeFileSync(join(root, 'home/app/keep'), 'base\n');
      mkdirSync(join(dir, 'src/sub'), { recursive: true });
      writeFileSync(join(dir, 'src/sub/f'), 'from source\n');
      writeFileSync(join(dir, 'one-file'), 'single\n');
      mkdirSync(join(dir, 'cache'));
      before = listing(root);
      const s = await selectSandbox('chroot', silentLogger, { scratchDir: dir });
      if (isUnavailable(s)) throw new Error(s.unavailable);
      sandbox = s;
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const mounts = (): RunMountSpec[] => [
      { kind: 'bind', target: '/src', source: join(dir, 'src'), readonly: true },
      { kind: 'bind', target: '/home/app', source: join(dir, 'src'), readonly: true },
      { kind: 'bind', target: '/usr/local/bin/tool', source: join(dir, 'one-file'), readonly: true },
      { kind: 'bind', target: '/var/cache/c', source: join(dir, 'cache'), readonly: false },
      { kind: 'tmpfs', target: '/tmp/t', readonly: false, sizeBytes: 1 << 20 },
      { kind: 'tmpfs', target: '/var/cache/c/nested', readonly: false },
      {
        kind: 'file',
        target: '/run/secrets/token',
        data: Buffer.from(`${SECRET}\n`),
        mode: 0o440,
        uid: 1000,
        gid: 50,
      },
    ];

    test('every kind is where it should be, as it should be', async () => {
      const r = await runIn(
        sandbox,
        root,
        [
          'cat /src/sub/f /home/app/sub/f /usr/local/bin/tool',
          'ls /home/app',
          '{ echo no > /src/x; } 2>/dev/null || echo src-ro',
          'echo w >> /var/cache/c/log && cat /var/cache/c/log',
          'df /tmp/t | tail -1 | tr -s " " | cut -d" " -f1,2',
          'touch /var/cache/c/nested/x && echo nested-ok',
          'stat -c "%a %u %g" /run/secrets/token',
          '{ echo no > /run/secrets/token; } 2>/dev/null || echo secret-ro',
          'sha256sum < /run/secrets/token | cut -c1-16',
        ].join('; '),
        { runMounts: mounts() },
      );
      expect(r.exitCode).toBe(0);
      const sum = execFileSync('sha256sum', { input: `${SECRET}\n`, encoding: 'utf8' }).slice(0, 16);
      expect(r.stdout.split('\n')).toEqual([
        'from source',
        'from source',
        'single',
        'sub',
        'src-ro',
        'w',
        'tmpfs 1024',
        'nested-ok',
        '440 1000 50',
        'secret-ro',
        sum,
        '',
      ]);
      expect(readFileSync(join(dir, 'cache/log'), 'utf8')).toBe('w\n');
    });

    test('no mount point it made is left in the root, the base directory keeps its content', () => {
      expect(listing(root)).toEqual(before);
      expect(readFileSync(join(root, 'home/app/keep'), 'utf8')).toBe('base\n');
      expect(readdirSync(join(dir, 'cache')).sort()).toEqual(['log', 'nested']);
    });

    test('a secret variable reaches the command, and no host command line ever holds it', async () => {
      const seen: string[] = [];
      let scanning = true;
      const scan = (async () => {
        while (scanning) {
          for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
            try {
              const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
              if (cmd.includes(SECRET)) seen.push(cmd);
            } catch {
              // gone
            }
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax
      const r = await runIn(sandbox, root, 'sleep 0.5; echo "${#TOKEN}"; cat /run/secrets/token | wc -c', {
        runMounts: [mounts()[6]!],
        secretEnv: [{ name: 'TOKEN', value: Buffer.from(SECRET) }],
      });
      scanning = false;
      await scan;
      expect(r.stdout).toBe(`${SECRET.length}\n${SECRET.length + 1}\n`);
      expect(seen).toEqual([]);
    });

    test('binary secret data arrives byte for byte', async () => {
      const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
      const r = await runIn(sandbox, root, 'sha256sum /s | cut -d" " -f1', {
        runMounts: [{ kind: 'file', target: '/s', data, mode: 0o400, uid: 0, gid: 0 }],
      });
      expect(r.stdout.trim()).toBe(
        execFileSync('sha256sum', { input: data, encoding: 'utf8' }).split(' ')[0],
      );
    });

    test('--security=insecure: every capability, writable /sys', async () => {
      const r = await runIn(
        sandbox,
        root,
        'grep CapBnd /proc/self/status; grep -c " /sys .*rw," /proc/self/mountinfo',
        {
          security: 'insecure',
        },
      );
      expect(r.stdout.split('\n')[0]).not.toBe('CapBnd:\t00000000a80425fb');
      expect(r.stdout.split('\n')[1]).toBe('1');
    });

    test('a file mount onto a directory of the image is refused by name', async () => {
      await expect(
        runIn(sandbox, root, 'true', {
          runMounts: [{ kind: 'file', target: '/etc', data: Buffer.from('x'), mode: 0o400, uid: 0, gid: 0 }],
        }),
      ).rejects.toThrow('cannot mount a file at /etc: /etc in the image is a directory');
    });
  },
);

describeWith(
  { root: true, binaries: ['unshare', 'setpriv', 'busybox', 'base64'], userns: true },
  'RUN --mount in rootless isolation (unprivileged user)',
  () => {
    let dir: string;

    beforeAll(() => {
      dir = tempDir('kiln-mounts-rootless-');
      chmodSync(dir, 0o755);
      const root = makeBusyboxRootfs(dir);
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src/f'), 'from source\n');
      mkdirSync(join(dir, 'cache'));
      mkdirSync(join(dir, 'scratch'));
      execFileSync('chown', [
        '-R',
        '65534:65534',
        root,
        join(dir, 'src'),
        join(dir, 'cache'),
        join(dir, 'scratch'),
      ]);
      chownSync(dir, 0, 0);
      writeFileSync(
        join(dir, 'run.mts'),
        `import { selectSandbox } from '${REPO}/src/executor/isolation/sandbox-select.ts';
import { silentLogger } from '${REPO}/src/log.ts';
const s = await selectSandbox('rootless', silentLogger, { scratchDir: '${dir}/scratch' });
if ('unavailable' in s) { console.log('UNAVAILABLE ' + s.unavailable); process.exit(1); }
let out = '';
const r = await s.run({ root: '${root}', argv: ['/bin/sh', '-c', 'cat /src/f; { echo no > /src/x; } 2>/dev/null || echo ro; echo c > /cache/c; df /t | tail -1 | cut -c1-5; cat /run/secrets/s; echo; echo "$TOKEN"; ls /run /src /t 2>&1 | head -0'],
  env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, network: 'default', onOutput: (c) => { out += c; },
  runMounts: [
    { kind: 'bind', target: '/src', source: '${dir}/src', readonly: true },
    { kind: 'bind', target: '/cache', source: '${dir}/cache', readonly: false },
    { kind: 'tmpfs', target: '/t', readonly: false },
    { kind: 'file', target: '/run/secrets/s', data: Buffer.from('file-secret'), mode: 0o400, uid: 0, gid: 0 },
  ],
  secretEnv: [{ name: 'TOKEN', value: Buffer.from('env-secret') }],
});
const { readdirSync } = await import('node:fs');
console.log(JSON.stringify({ kind: s.kind, exitCode: r.exitCode, out, root: readdirSync('${root}').sort() }));
`,
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('bind (ro and rw), tmpfs, secret file and variable work in a user namespace; nothing is left', () => {
      const out = runAsNobody(join(dir, 'run.mts'), { HOME: dir });
      const r = JSON.parse(out.trim().split('\n').pop()!) as {
        kind: string;
        exitCode: number;
        out: string;
        root: string[];
      };
      expect(r).toEqual({
        kind: 'rootless',
        exitCode: 0,
        out: 'from source\nro\ntmpfs\nfile-secret\nenv-secret\n',
        root: ['bin', 'etc', 'tmp'],
      });
      expect(readFileSync(join(dir, 'cache/c'), 'utf8')).toBe('c\n');
    });
  },
);
