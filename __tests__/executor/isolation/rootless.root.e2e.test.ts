/**
 * Rootless isolation as a real unprivileged user (uid 65534), started from
 * a root test process with setpriv; and what selectSandbox says there.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { describeWith } from '../../lab/prereq.js';
import { makeBusyboxRootfs, tempDir } from '../busybox-rootfs.js';
import { REPO, runAsNobody } from './sandbox-harness.js';

describeWith(
  { root: true, binaries: ['unshare', 'setpriv', 'busybox'], userns: true },
  'rootless isolation (unprivileged user)',
  () => {
    let dir: string;

    beforeAll(() => {
      dir = tempDir('kiln-rootless-');
      chmodSync(dir, 0o755);
      const root = makeBusyboxRootfs(dir);
      execFileSync('chown', ['-R', '65534:65534', root]);
      const scratch = join(dir, 'scratch');
      execFileSync('mkdir', [scratch]);
      chownSync(scratch, 65534, 65534);
      writeFileSync(
        join(dir, 'run.mts'),
        `import { selectSandbox } from '${REPO}/src/executor/isolation/sandbox-select.ts';
import { silentLogger } from '${REPO}/src/log.ts';
const s = await selectSandbox('auto', silentLogger, { scratchDir: '${scratch}' });
if ('unavailable' in s) { console.log('UNAVAILABLE ' + s.unavailable); process.exit(0); }
let out = '';
const r = await s.run({ root: '${root}', argv: ['/bin/sh', '-c', 'id -u; echo made > /made; cat /proc/self/uid_map'], env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, network: 'none', onOutput: (c) => { out += c; } });
console.log(JSON.stringify({ kind: s.kind, exitCode: r.exitCode, out }));
`,
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('auto picks rootless for a non-root user and the RUN runs as root of its namespace', () => {
      const out = runAsNobody(join(dir, 'run.mts'), {
        HOME: join(dir, 'scratch'),
        TMPDIR: join(dir, 'scratch'),
      });
      if (out.startsWith('UNAVAILABLE')) {
        // User namespaces work here (a prerequisite), so this is a failure; the message must still say why and what to do.
        expect(out).toMatch(/Dockerfile without RUN still builds.*run Kiln as root/);
        throw new Error(`user namespaces work here, yet selectSandbox said: ${out}`);
      }
      const r = JSON.parse(out.split('\n').pop()!);
      expect(r.kind).toBe('rootless');
      expect(r.exitCode).toBe(0);
      expect(r.out.split('\n')[0]).toBe('0');
      expect(r.out).toMatch(/^\s+0\s+65534\s+1$/m);
    });
  },
);
