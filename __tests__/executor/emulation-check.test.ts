/**
 * A RUN for a platform this machine cannot run natively needs a binfmt_misc
 * handler; without one the build fails before anything is pulled, saying
 * what to do. Kiln is pointed at an empty binfmt_misc directory (BuildDeps
 * binfmtDir), so the machine's real registrations are neither read nor
 * touched. Stages that do not RUN need no emulation.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { build } from '../../src/executor/build.js';
import { EmulationError } from '../../src/executor/emulation-check.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import { readOciLayout } from '../../src/image/oci-layout.js';
import { hostPlatform } from '../../src/image/platform.js';
import { silentLogger } from '../../src/log.js';

const foreign = hostPlatform().architecture === 'arm64' ? 'linux/amd64' : 'linux/arm64';

describe('the emulation check', () => {
  let tmp: string;
  let noBinfmt: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-emu-'));
    noBinfmt = path.join(tmp, 'binfmt_misc');
    await fs.mkdir(noBinfmt);
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  async function options(dockerfile: string, platforms: string[]) {
    const ctx = await fs.mkdtemp(path.join(tmp, 'ctx-'));
    await fs.writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
    await fs.writeFile(path.join(ctx, 'file.txt'), 'hello\n');
    const o = defaultBuildOptions(ctx, path.join(ctx, 'Dockerfile'));
    o.platforms = platforms;
    o.push = false;
    o.workspace = path.join(tmp, 'ws');
    return o;
  }

  test('a foreign RUN without a handler fails before any pull, saying what to do', async () => {
    // Nothing listens on 127.0.0.1:9: a pull would fail with a connection error instead.
    const o = await options(
      'FROM 127.0.0.1:9/base/busybox:1 AS app\nRUN echo hi\nFROM scratch\nCOPY --from=app /etc/hostname /\n',
      ['linux/amd64', 'linux/arm64', 'linux/s390x'].filter(
        (p) => p !== hostPlatform().os + '/' + hostPlatform().architecture,
      ),
    );
    const err = await build(o, silentLogger, { binfmtDir: noBinfmt }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmulationError);
    const message = (err as Error).message;
    expect(message).toContain(`RUN for ${foreign} (in app) needs an emulator`);
    expect(message).toContain(`binfmt_misc is not mounted at ${noBinfmt}`);
    expect(message).toContain('RUN for linux/s390x (in app)');
    expect(message).toContain('docker/setup-qemu-action');
    expect(message).toContain('setup_qemu: true');
    expect(message).toContain('sudo apt-get install qemu-user-static');
    expect(message).toContain('kiln index create');
    expect(message).not.toContain(`RUN for ${hostPlatform().os}/${hostPlatform().architecture}`);
  });

  test('a handler without the F flag is named as the problem', async () => {
    const dir = path.join(tmp, 'no-f');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'register'), '');
    await fs.writeFile(path.join(dir, 'status'), 'enabled\n');
    await fs.writeFile(
      path.join(dir, 'qemu-s390x'),
      'enabled\ninterpreter /usr/bin/qemu-s390x\nflags: OC\noffset 0\nmagic 7f454c4602020100000000000000000000020016\nmask fffffffffffffffcfffffffffffffffffffeffff\n',
    );
    const o = await options('FROM 127.0.0.1:9/base/busybox:1\nRUN true\n', ['linux/s390x']);
    await expect(build(o, silentLogger, { binfmtDir: dir })).rejects.toThrow(
      /RUN for linux\/s390x \(in stage 0\).*qemu-s390x is registered without the F flag \(flags: OC\)/s,
    );
  });

  test('stages that do not RUN need no emulation', async () => {
    const o = await options('FROM scratch\nARG TARGETARCH\nCOPY file.txt /$TARGETARCH.txt\nCMD ["/x"]\n', [
      foreign,
    ]);
    o.ociLayoutPath = path.join(tmp, 'layout');
    const result = await build(o, silentLogger, { binfmtDir: noBinfmt });
    const image = await readOciLayout(o.ociLayoutPath, { tag: 'latest' });
    expect(image.digest()).toBe(result.digest);
    expect(image.config.architecture).toBe(foreign.split('/')[1]);
    expect(image.layers).toHaveLength(1);
  });
});
