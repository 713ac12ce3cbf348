import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import type { HostTools } from '../../../src/executor/isolation/host-tools.js';
import { NamespaceSandbox } from '../../../src/executor/isolation/namespace.js';
import { SandboxMemo } from '../../../src/executor/isolation/sandbox-memo.js';
import { silentLogger } from '../../../src/log.js';

describe('SandboxMemo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-memo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tools = {
    shell: '/bin/sh',
    unshare: '/bin/sh',
    mount: '/bin/sh',
    umount: '/bin/sh',
    pivotRoot: '/bin/sh',
    setpriv: '/bin/sh',
    env: '/bin/sh',
    mkdir: '/bin/sh',
    ln: '/bin/sh',
    base64: '/bin/sh',
    chown: '/bin/sh',
    chmod: '/bin/sh',
    missing: {},
    jailFiles: [],
  } as HostTools;

  test('recalls what it remembered; forgets a memo of another format (an older Kiln)', async () => {
    const memo = new SandboxMemo(dir, 'chroot');
    await memo.remember(new NamespaceSandbox('chroot', tools, { scratchDir: dir, log: silentLogger }));
    expect((await memo.recall(dir, silentLogger))?.kind).toBe('chroot');

    // The same memo as an older Kiln wrote it: its key without the format line.
    const file = join(dir, 'sandbox-chroot.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { key: string };
    expect(saved.key.split('\n')[0]).toMatch(/^kiln sandbox memo \d+ /);
    saved.key = saved.key.split('\n').slice(1).join('\n');
    writeFileSync(file, JSON.stringify(saved), { mode: 0o600 });
    expect(await memo.recall(dir, silentLogger)).toBeUndefined();
  });
});
