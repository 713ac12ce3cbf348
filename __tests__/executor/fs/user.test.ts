import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { resolveUser, UserResolutionError } from '../../../src/executor/fs/user.js';
import { tempDir } from '../busybox-rootfs.js';

let dir: string;
let root: string;

beforeAll(() => {
  dir = tempDir('kiln-user-');
  root = join(dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(
    join(root, 'etc/passwd'),
    [
      'root:x:0:0:root:/root:/bin/sh',
      '# a comment',
      'app:x:1000:1001:App:/home/app:/bin/sh',
      'svc:x:1002:1002::/srv:/bin/false',
      'broken:x:notanumber:1:::',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(root, 'etc/group'),
    ['root:x:0:root', 'bin:x:1:root,app', 'appgrp:x:1001:', 'docker:x:999:app', 'svc:x:1002:', ''].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveUser (BuildKit/runc semantics)', () => {
  test.each([
    ['', { uid: 0, gid: 0, groups: [0, 1], home: '/root' }],
    ['root', { uid: 0, gid: 0, groups: [0, 1], home: '/root' }],
    ['app', { uid: 1000, gid: 1001, groups: [1, 999], home: '/home/app' }],
    ['1000', { uid: 1000, gid: 1001, groups: [1, 999], home: '/home/app' }],
    ['4242', { uid: 4242, gid: 0, groups: [], home: '/' }],
    ['app:svc', { uid: 1000, gid: 1002, groups: [], home: '/home/app' }],
    ['app:77', { uid: 1000, gid: 77, groups: [], home: '/home/app' }],
    ['4242:docker', { uid: 4242, gid: 999, groups: [], home: '/' }],
    ['1000:1002', { uid: 1000, gid: 1002, groups: [], home: '/home/app' }],
    ['root:root', { uid: 0, gid: 0, groups: [], home: '/root' }],
    ['svc', { uid: 1002, gid: 1002, groups: [], home: '/srv' }],
  ])('USER %j', async (spec, want) => {
    expect(await resolveUser(root, spec)).toEqual(want);
  });

  test('unknown user name: typed error naming /etc/passwd', async () => {
    const e = await resolveUser(root, 'ghost').catch((x) => x);
    expect(e).toBeInstanceOf(UserResolutionError);
    expect(e.file).toBe('/etc/passwd');
    expect(e.message).toContain('"ghost"');
    expect(e.message).toContain('/etc/passwd');
  });

  test('unknown group name: typed error naming /etc/group', async () => {
    const e = await resolveUser(root, 'app:ghosts').catch((x) => x);
    expect(e).toBeInstanceOf(UserResolutionError);
    expect(e.file).toBe('/etc/group');
  });

  test('no /etc/passwd (FROM scratch): numeric ids work, names fail, empty is root', async () => {
    const scratch = join(dir, 'scratch');
    mkdirSync(scratch);
    expect(await resolveUser(scratch, '')).toEqual({ uid: 0, gid: 0, groups: [], home: '/' });
    expect(await resolveUser(scratch, '123')).toEqual({ uid: 123, gid: 0, groups: [], home: '/' });
    expect(await resolveUser(scratch, '123:456')).toEqual({ uid: 123, gid: 456, groups: [], home: '/' });
    await expect(resolveUser(scratch, 'app')).rejects.toThrow(/has no \/etc\/passwd/);
  });

  test("an absolute symlink for /etc/passwd resolves inside the root, never to the host's", async () => {
    const evil = join(dir, 'evil');
    mkdirSync(join(evil, 'etc'), { recursive: true });
    mkdirSync(join(evil, 'inside'), { recursive: true });
    writeFileSync(join(evil, 'inside/passwd'), 'alice:x:5000:5000::/home/alice:/bin/sh\n');
    symlinkSync('/inside/passwd', join(evil, 'etc/passwd'));
    expect((await resolveUser(evil, 'alice')).uid).toBe(5000);
    // The host's root user must not be found through a symlink to /etc/passwd of the host.
    const evil2 = join(dir, 'evil2');
    mkdirSync(join(evil2, 'etc'), { recursive: true });
    symlinkSync('../../../../../../../etc/passwd', join(evil2, 'etc/passwd'));
    await expect(resolveUser(evil2, 'daemon')).rejects.toThrow(UserResolutionError);
  });
});
