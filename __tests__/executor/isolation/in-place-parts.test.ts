/**
 * The parts of the in-place isolation that need no container: the kept-path
 * set, mountinfo parsing, container detection, the ELF interpreter check,
 * stray-process selection, emptying / moving aside / saving and restoring a
 * root, and extraction that leaves kept paths alone (all on temp dirs).
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { extractLayer } from '../../../src/archive/extract.js';
import { type TarWriteEntry, writeTar } from '../../../src/archive/tar-writer.js';
import {
  detectBuildContainer,
  detectContainer,
  elfInterpreter,
  kilnInstallation,
} from '../../../src/executor/isolation/container-detect.js';
import {
  clearRoot,
  moveAside,
  restoreRoot,
  saveRoot,
} from '../../../src/executor/isolation/in-place-clear.js';
import { KeptPaths } from '../../../src/executor/isolation/kept-paths.js';
import { parseMountinfo } from '../../../src/executor/isolation/mount-table.js';
import { inPlaceKeep } from '../../../src/executor/isolation/select.js';
import { parseStat, strays } from '../../../src/executor/isolation/stray-processes.js';
import { defaultBuildOptions } from '../../../src/executor/options.js';
import { tempDir } from '../busybox-rootfs.js';

describe('KeptPaths', () => {
  const k = new KeptPaths([
    '/proc',
    '/etc/hosts',
    '/var/run/secrets/kubernetes.io/serviceaccount',
    '/proc/sys',
    '/kiln/',
  ]);
  test('has: the path and everything under it', () => {
    expect(k.has('proc')).toBe(true);
    expect(k.has('proc/1/stat')).toBe(true);
    expect(k.has('kiln/bin/node')).toBe(true);
    expect(k.has('etc/hosts')).toBe(true);
    expect(k.has('etc/hostsx')).toBe(false);
    expect(k.has('etc')).toBe(false);
    expect(k.has('procx')).toBe(false);
  });
  test('holds: the strict ancestors', () => {
    expect(k.holds('')).toBe(true);
    expect(k.holds('etc')).toBe(true);
    expect(k.holds('var/run/secrets')).toBe(true);
    expect(k.holds('var/run/secrets/kubernetes.io/serviceaccount')).toBe(false);
    expect(k.holds('usr')).toBe(false);
  });
  test('a path under a kept one adds nothing; / cannot be kept', () => {
    expect(k.list()).toEqual([
      '/etc/hosts',
      '/kiln',
      '/proc',
      '/var/run/secrets/kubernetes.io/serviceaccount',
    ]);
    expect(() => new KeptPaths(['/'])).toThrow(/whole filesystem/);
  });
});

test('parseMountinfo: mount points unescaped, fs type and source', () => {
  const text = [
    '79 53 0:40 / / rw,relatime master:2 - overlay overlay rw,lowerdir=/a:/b,upperdir=/c',
    '96 79 254:0 /tmp/ctx /my\\040context rw,relatime - ext4 /dev/vda rw',
    'garbage',
  ].join('\n');
  expect(parseMountinfo(text)).toEqual([
    { point: '/', fsType: 'overlay', source: 'overlay', superOptions: 'rw,lowerdir=/a:/b,upperdir=/c' },
    { point: '/my context', fsType: 'ext4', source: '/dev/vda', superOptions: 'rw' },
  ]);
});

test("inPlaceKeep: the build's inputs, outputs, credentials and RUN --mount sources", () => {
  const o = defaultBuildOptions('/workspace', '/workspace/Dockerfile');
  o.secrets = [
    { id: 'npmrc', file: '/builds/npmrc' },
    { id: 'token', env: 'TOKEN' },
  ];
  o.ssh = [
    { id: 'default', paths: [] },
    { id: 'deploy', paths: ['/keys/id_ed25519'] },
  ];
  o.cacheMounts = { dir: '/cache/mounts' };
  o.ociLayoutPath = '/kiln/out/layout';
  const keep = inPlaceKeep(o, { SSH_AUTH_SOCK: '/tmp/ssh-x/agent.1', DOCKER_CONFIG: '/kaniko/.docker' });
  expect(keep).toEqual(
    expect.arrayContaining([
      '/workspace',
      '/kaniko/.docker',
      '/builds/npmrc',
      '/tmp/ssh-x/agent.1',
      '/keys/id_ed25519',
      '/cache/mounts',
      '/kiln/out/layout',
    ]),
  );
});

describe('detectContainer', () => {
  const none = () => false;
  const noFile = () => undefined;
  test('by marker files, environment, cgroup, overlay root', () => {
    expect(detectContainer({}, [], (p) => p === '/.dockerenv', noFile).evidence).toMatch(/Docker/);
    expect(detectContainer({}, [], (p) => p === '/run/.containerenv', noFile).evidence).toMatch(/Podman/);
    expect(detectContainer({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, [], none, noFile).evidence).toMatch(
      /Kubernetes/,
    );
    expect(detectContainer({}, [], none, () => '0::/kubepods/besteffort/pod1/abc\n').evidence).toMatch(
      /kubepods/,
    );
    const overlayRoot = [{ point: '/', fsType: 'overlay', source: 'overlay', superOptions: '' }];
    expect(detectContainer({}, overlayRoot, none, noFile).evidence).toMatch(/overlay root/);
  });
  test('a machine made from a container image is not a container to build in place', () => {
    const dockerenv = (p: string) => p === '/.dockerenv';
    const ext4Root = [{ point: '/', fsType: 'ext4', source: '/dev/vda', superOptions: 'rw' }];
    const status = (cap: string) => (p: string) =>
      p === '/proc/self/status' ? `Name:\tnode\nCapEff:\t${cap}\n` : undefined;
    const machine = detectBuildContainer({}, ext4Root, dockerenv, status('000001ffffffffff'));
    expect(machine.evidence).toBeUndefined();
    expect(machine.machine).toMatch(/CAP_SYS_ADMIN and \/ is the block device \/dev\/vda/);
    // Docker's default capabilities (no CAP_SYS_ADMIN), e.g. with the devicemapper driver: a container.
    expect(detectBuildContainer({}, ext4Root, dockerenv, status('00000000a80425fb')).evidence).toMatch(
      /Docker/,
    );
  });

  test('a plain host is not a container', () => {
    const ext4Root = [{ point: '/', fsType: 'ext4', source: '/dev/vda', superOptions: 'rw' }];
    expect(
      detectContainer({}, ext4Root, none, () => '0::/\n4:memory:/user.slice\n').evidence,
    ).toBeUndefined();
  });
});

describe('the Kiln installation check', () => {
  test('elfInterpreter reads PT_INTERP; none for a static binary', () => {
    expect(elfInterpreter(process.execPath)).toMatch(/ld-linux/);
    expect(elfInterpreter('/bin/busybox')).toBeUndefined();
  });
  test("a Node that loads the system's C library is not self-contained", () => {
    const k = kilnInstallation({ KILN_HOME: '/opt/kiln' }, process.execPath, process.execPath);
    expect(k.home).toBe('/opt/kiln');
    expect(k.notSelfContained).toMatch(/outside Kiln's directory/);
    const dir = tempDir('kiln-home-');
    try {
      mkdirSync(join(dir, 'bin'));
      execFileSync('cp', ['/bin/busybox', join(dir, 'bin/node')]);
      // A static "Node" under its home: nothing loaded from outside.
      expect(
        kilnInstallation({ KILN_HOME: dir }, join(dir, 'bin/node'), join(dir, 'bin/node')).notSelfContained,
      ).toBeUndefined();
      execFileSync('cp', [process.execPath, join(dir, 'bin/node')]);
      expect(
        kilnInstallation({ KILN_HOME: dir }, join(dir, 'bin/node'), join(dir, 'bin/node')).notSelfContained,
      ).toMatch(/C library through \/lib/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('strays', () => {
  test('parseStat copes with spaces and parentheses in the name', () => {
    const f = (n: number) => String(n);
    const rest = Array.from({ length: 20 }, (_, i) => f(i + 10)).join(' ');
    expect(parseStat(`42 (a (weird) name) S 7 42 42 0 -1 ${rest}`)).toMatchObject({
      pid: 42,
      state: 'S',
      ppid: 7,
      sid: 42,
    });
  });
  test("the RUN's session, and orphans started during it; never older, exec'd or Kiln's own", () => {
    const rule = { runSid: 100, since: 500, kilnPid: 10, kilnSid: 1 };
    const p = (pid: number, ppid: number, sid: number, start: number, state = 'S') => ({
      pid,
      ppid,
      sid,
      start,
      state,
    });
    const procs = [
      p(1, 0, 1, 0), // init (a shell)
      p(10, 1, 1, 100), // Kiln
      p(100, 10, 100, 500), // the RUN
      p(101, 100, 100, 501), // its child
      p(200, 1, 200, 600), // a daemon it double-forked (new session, orphaned)
      p(201, 200, 200, 601), // the daemon's child
      p(300, 0, 300, 700), // `docker exec` during the RUN
      p(301, 300, 300, 701), // its child
      p(400, 1, 400, 50), // older than the RUN
      p(500, 10, 1, 800), // Kiln's own helper
      p(600, 1, 600, 900, 'Z'), // a zombie
    ];
    expect(strays(procs, rule).map((x) => x.pid)).toEqual([100, 101, 200, 201]);
  });
});

describe('emptying, moving aside, saving and restoring a root', () => {
  let dir: string;
  let root: string;
  const kept = () => new KeptPaths(['/proc', '/etc/hosts', '/kiln', '/var/run/secrets/sa', '/out/image.tar']);
  beforeEach(() => {
    dir = tempDir('kiln-inplace-clear-');
    root = join(dir, 'root');
    for (const d of ['proc/1', 'etc', 'kiln/bin', 'var/run/secrets/sa', 'usr/bin', 'lib64'])
      mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'proc/1/stat'), 'x');
    writeFileSync(join(root, 'etc/hosts'), 'hosts');
    writeFileSync(join(root, 'etc/passwd'), 'root');
    writeFileSync(join(root, 'kiln/bin/node'), 'node');
    writeFileSync(join(root, 'var/run/secrets/sa/token'), 't');
    writeFileSync(join(root, 'var/run/other'), 'o');
    writeFileSync(join(root, 'usr/bin/tool'), 'tool');
    symlinkSync('/kiln/lib/ld.so', join(root, 'lib64/ld.so'));
    execFileSync('chmod', ['0750', join(root, 'etc')]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const listing = (r: string) =>
    execFileSync('find', ['.', '-printf', '%p %y %m\n'], { cwd: r, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .sort();

  test('clearRoot leaves only the kept paths and their ancestors', () => {
    clearRoot(root, kept());
    expect(listing(root)).toEqual(
      [
        '. d 755',
        './etc d 750',
        './etc/hosts f 644',
        './kiln d 755',
        './kiln/bin d 755',
        './kiln/bin/node f 644',
        './proc d 755',
        './proc/1 d 755',
        './proc/1/stat f 644',
        './var d 755',
        './var/run d 755',
        './var/run/secrets d 755',
        './var/run/secrets/sa d 755',
        './var/run/secrets/sa/token f 644',
      ].sort(),
    );
  });

  test('moveAside renames the rest into a directory, holders re-created with their metadata', () => {
    const dest = join(dir, 'aside');
    mkdirSync(dest);
    expect(moveAside(root, kept(), dest)).toBe(true);
    expect(existsSync(join(root, 'usr'))).toBe(false);
    expect(readFileSync(join(dest, 'usr/bin/tool'), 'utf8')).toBe('tool');
    expect(readFileSync(join(dest, 'etc/passwd'), 'utf8')).toBe('root');
    expect(readFileSync(join(dest, 'var/run/other'), 'utf8')).toBe('o');
    expect(lstatSync(join(dest, 'etc')).mode & 0o777).toBe(0o750);
    expect(existsSync(join(dest, 'etc/hosts'))).toBe(false);
    expect(existsSync(join(dest, 'kiln'))).toBe(false);
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe('hosts');
  });

  test('saveRoot + restoreRoot put the container back as it was', () => {
    const before = listing(root);
    const saved = join(dir, 'saved');
    mkdirSync(saved);
    expect(saveRoot(root, kept(), saved, 1 << 20)).toBe(true);
    clearRoot(root, kept());
    mkdirSync(join(root, 'usr/share'), { recursive: true });
    writeFileSync(join(root, 'usr/share/built'), 'the build');
    clearRoot(root, kept());
    restoreRoot(saved, root, kept());
    expect(listing(root)).toEqual(before);
    expect(readlinkSync(join(root, 'lib64/ld.so'))).toBe('/kiln/lib/ld.so');
  });

  test('saveRoot copies nothing past its limit', () => {
    const saved = join(dir, 'saved');
    mkdirSync(saved);
    expect(saveRoot(root, kept(), saved, 3)).toBe(false);
    expect(listing(saved)).toEqual(['. d 755']);
  });
});

describe('extraction with kept paths', () => {
  let dir: string;
  let root: string;
  beforeEach(() => {
    dir = tempDir('kiln-inplace-extract-');
    root = join(dir, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(join(root, 'var/run/secrets'), { recursive: true });
    mkdirSync(join(root, 'workspace'));
    writeFileSync(join(root, 'etc/hosts'), 'container hosts');
    writeFileSync(join(root, 'var/run/secrets/token'), 'secret');
    writeFileSync(join(root, 'workspace/user-file'), 'mine');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function extract(entries: TarWriteEntry[]) {
    const keep = new KeptPaths(['/etc/hosts', '/var/run/secrets', '/workspace']);
    return extractLayer(writeTar(entries), root, { keep });
  }
  const file = (name: string, body: string) => ({
    header: {
      name,
      type: 'file' as const,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: { sec: 0, nsec: 0 },
      size: body.length,
    },
    body: Buffer.from(body),
  });
  const entry = (name: string, type: 'dir' | 'symlink', linkname?: string) => ({
    header: {
      name,
      type,
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: { sec: 0, nsec: 0 },
      ...(linkname ? { linkname } : {}),
    },
  });

  test('entries at, under or replacing kept paths are skipped; the rest is extracted', async () => {
    const stats = await extract([
      file('etc/hosts', 'image hosts'),
      file('etc/passwd', 'root'),
      entry('var/run', 'symlink', '../run'),
      file('workspace/other', 'image file'),
      entry('link-to-ws', 'symlink', '/workspace'),
      file('link-to-ws/sneaky/x', 'through a symlink'),
      file('usr/bin/tool', 'tool'),
    ]);
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe('container hosts');
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toBe('root');
    expect(lstatSync(join(root, 'var/run')).isDirectory()).toBe(true);
    expect(readFileSync(join(root, 'var/run/secrets/token'), 'utf8')).toBe('secret');
    expect(existsSync(join(root, 'workspace/other'))).toBe(false);
    expect(existsSync(join(root, 'workspace/sneaky'))).toBe(false);
    expect(readFileSync(join(root, 'usr/bin/tool'), 'utf8')).toBe('tool');
    expect(stats.skipped.kept).toBe(4);
    expect(stats.keptEntries).toEqual({ 'etc/hosts': 1, '': 1, workspace: 2 });
  });

  test('whiteouts and opaque directories never remove kept paths', async () => {
    await extract([
      file('etc/.wh.hosts', ''),
      file('var/run/.wh..wh..opq', ''),
      file('.wh.workspace', ''),
      file('var/.wh.run', ''),
    ]);
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe('container hosts');
    expect(readFileSync(join(root, 'var/run/secrets/token'), 'utf8')).toBe('secret');
    expect(readFileSync(join(root, 'workspace/user-file'), 'utf8')).toBe('mine');
  });
});
