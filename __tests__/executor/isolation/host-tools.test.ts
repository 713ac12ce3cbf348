import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { checkMount, findBinary, HostToolsError } from '../../../src/executor/isolation/host-tools.js';

describe('checkMount: the sandbox needs util-linux mount', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-mount-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fake = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };

  test("util-linux's mount is taken (the machine's own and a stand-in)", async () => {
    const real = await findBinary('mount');
    if (!real) throw new Error('mount is not on this machine (util-linux mount package)');
    await expect(checkMount(real)).resolves.toBeUndefined();
    await expect(
      checkMount(fake('ul', 'echo "mount from util-linux 2.39.3 (libmount 2.39.3)"')),
    ).resolves.toBeUndefined();
  });

  test("BusyBox's mount (no --version, no read-only binds in -a) is refused, naming what to install", async () => {
    const bb = fake('bb', 'echo "BusyBox v1.36.1 multi-call binary." >&2; exit 1');
    await expect(checkMount(bb)).rejects.toThrow(HostToolsError);
    await expect(checkMount(bb)).rejects.toThrow(/is not util-linux's mount .*install mount\/util-linux/);
  });
});
