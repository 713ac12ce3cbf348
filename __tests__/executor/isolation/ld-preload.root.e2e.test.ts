/**
 * A hostile image env (LD_PRELOAD naming a host .so) must not load code into
 * any host binary of the sandbox chain, while the command inside the image
 * still sees the variable (and loads the image's own file of that name).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { isUnavailable, type Sandbox } from '../../../src/executor/isolation/sandbox.js';
import { selectSandbox } from '../../../src/executor/isolation/sandbox-select.js';
import { silentLogger } from '../../../src/log.js';
import { describeWith } from '../../lab/prereq.js';
import { makeBusyboxRootfs, tempDir } from '../busybox-rootfs.js';
import { runIn } from './sandbox-harness.js';

function buildMarkerLib(out: string, marker: string, src: string): void {
  writeFileSync(
    src,
    `#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void kiln_marker(void) {
  int fd = open("${marker}", O_CREAT | O_WRONLY | O_APPEND, 0644);
  if (fd >= 0) { write(fd, "loaded\\n", 7); close(fd); }
}
`,
  );
  execFileSync('gcc', ['-shared', '-fPIC', '-o', out, src]);
}

/** Copies a host dynamic binary and the files it loads into the rootfs. */
function copyDynamic(root: string, binary: string): void {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const files = [binary];
  for (const m of out.matchAll(/(\/\S+)\s+\(/g)) files.push(m[1]!);
  for (const f of files) {
    mkdirSync(join(root, dirname(f)), { recursive: true });
    copyFileSync(f, join(root, f));
  }
  execFileSync('chmod', ['755', join(root, binary)]);
}

describeWith(
  { root: true, binaries: ['unshare', 'setpriv', 'busybox', 'gcc', 'ldd'] },
  'RUN env cannot reach host binaries',
  () => {
    let dir: string;
    let root: string;
    let sandbox: Sandbox;
    let evil: string;
    let hostMarker: string;

    beforeAll(async () => {
      dir = tempDir('kiln-ldpreload-');
      root = makeBusyboxRootfs(dir);
      evil = join(dir, 'host-evil.so');
      hostMarker = join(dir, 'HOST-LOADED');
      buildMarkerLib(evil, hostMarker, join(dir, 'host.c'));
      // The image has its own file at the same path, writing a marker inside the image.
      mkdirSync(join(root, dirname(evil)), { recursive: true });
      buildMarkerLib(join(root, evil), '/IMAGE-LOADED', join(dir, 'image.c'));
      copyDynamic(root, '/usr/bin/true');
      const s = await selectSandbox('chroot', silentLogger, { scratchDir: dir });
      if (isUnavailable(s)) throw new Error(s.unavailable);
      sandbox = s;
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('positive control: the host .so does load into a host binary', () => {
      execFileSync('/usr/bin/true', { env: { LD_PRELOAD: evil } });
      expect(existsSync(hostMarker)).toBe(true);
      rmSync(hostMarker);
    });

    test.each([
      ['LD_PRELOAD', () => evil],
      ['LD_LIBRARY_PATH', () => dirname(evil)],
      ['LD_AUDIT', () => evil],
    ])('%s from the image env loads nothing on the host; the command inside sees it', async (name, value) => {
      const r = await runIn(sandbox, root, ['/bin/sh', '-c', `echo "$${name}"; /usr/bin/true`], {
        env: ['PATH=/usr/bin:/bin', `${name}=${value()}`],
      });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(`${value()}\n`);
      expect(existsSync(hostMarker)).toBe(false);
    });

    test('the dynamic command inside the image loads the image file of that name', async () => {
      rmSync(join(root, 'IMAGE-LOADED'), { force: true });
      const r = await runIn(sandbox, root, ['/usr/bin/true'], {
        env: ['PATH=/usr/bin:/bin', `LD_PRELOAD=${evil}`],
      });
      expect(r.exitCode).toBe(0);
      expect(existsSync(join(root, 'IMAGE-LOADED'))).toBe(true);
      expect(existsSync(hostMarker)).toBe(false);
    });
  },
);
