/**
 * Interrupted builds, end to end with the committed bundles (`npm run
 * bundle` first): a SIGTERM'd or SIGINT'd `kiln build` stops its RUN, leaves
 * no workspace, mount, partial output or pushed image and exits 143/130; a
 * killed Kiln's workspace (with a mount still in it) is removed by the next
 * build; a cancelled action removes its temporary credentials, and after
 * SIGKILL its post step does.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { mountPointsUnder } from '../src/executor/fs/mounts.js';
import { OWNER_FILE } from '../src/executor/workspace.js';
import { parseReference } from '../src/image/reference.js';
import { installAction, makeJob, readState, runAction, startAction } from './action/action-runner.js';
import { ROOT } from './action/helpers.js';
import { BUSYBOX_FIXTURE_BINARIES } from './lab/busybox-fixture.js';
import { useBuildLab } from './lab/fixtures.js';
import { describeWith } from './lab/prereq.js';

const KILN = path.join(ROOT, 'bin/kiln.js');

/** Resolves once `text` appears in the child's stderr or stdout (rejects when it exits first). */
function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const on = (b: Buffer) => {
      seen += b.toString();
      if (seen.includes(text)) resolve();
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.on('close', (code) => reject(new Error(`exited (${code}) before printing ${text}:\n${seen}`)));
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
}

describeWith(
  {
    root: true,
    binaries: [...BUSYBOX_FIXTURE_BINARIES, 'docker-registry', 'unshare', 'setpriv', 'umount'],
  },
  'interrupted builds',
  () => {
    const lab = useBuildLab({ auth: 'token', prefix: 'kiln-interrupt-' });

    async function sleepyContext(): Promise<string> {
      return lab.context({
        Dockerfile: `FROM ${lab.base}\nCOPY f /f\nRUN echo kiln-run-started && sleep 60 && echo never > /never\n`,
        f: 'x',
      });
    }

    function startKiln(ctx: string, ws: string, extra: string[] = []): ChildProcess {
      return spawn(
        process.execPath,
        [
          KILN,
          'build',
          '--context',
          ctx,
          '--workspace',
          ws,
          '--insecure-registry',
          lab.registry.host,
          ...extra,
        ],
        {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            DOCKER_CONFIG: path.dirname(lab.dockerConfig!),
          },
        },
      );
    }

    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      test(`${signal} during a RUN: exit ${code}, no workspace, no mount, no output, nothing pushed`, async () => {
        const ctx = await sleepyContext();
        const ws = path.join(lab.tmp, `ws-${signal}`);
        const oci = path.join(lab.tmp, `oci-${signal}`);
        const dest = `${lab.registry.host}/team/interrupted:${signal.toLowerCase()}`;
        const child = startKiln(ctx, ws, ['--destination', dest, '--oci-layout-path', oci]);
        const exited = exitOf(child);
        await waitForOutput(child, 'kiln-run-started');
        const started = Date.now();
        child.kill(signal);
        const r = await exited;
        expect(r.code).toBe(code);
        // The RUN (sleep 60) was killed, not waited for.
        expect(Date.now() - started).toBeLessThan(30_000);
        expect(await fs.readdir(ws)).toEqual([]);
        expect(mountPointsUnder(ws)).toEqual([]);
        await expect(fs.stat(oci)).rejects.toThrow(/ENOENT/);
        expect(await lab.client.headManifest(parseReference(dest))).toBeUndefined();
        // No process of the build is left (the RUN's sleep ran in its own PID namespace).
        expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain('kiln-run-started');
      });
    }

    test('a second signal exits at once and still removes the workspace', async () => {
      const ctx = await sleepyContext();
      const ws = path.join(lab.tmp, 'ws-twice');
      const child = startKiln(ctx, ws, ['--no-push']);
      const exited = exitOf(child);
      await waitForOutput(child, 'kiln-run-started');
      child.kill('SIGINT');
      child.kill('SIGINT');
      expect((await exited).code).toBe(130);
      expect(await fs.readdir(ws)).toEqual([]);
      expect(mountPointsUnder(ws)).toEqual([]);
    });

    test("a killed Kiln's workspace, mount and all, is removed by the next build", async () => {
      const ws = path.join(lab.tmp, 'ws-stale');
      const stale = path.join(ws, 'kiln-stale1');
      await fs.mkdir(path.join(stale, 'mnt'), { recursive: true });
      // pid 2^22+1 is above pid_max's default range: no such process.
      await fs.writeFile(path.join(stale, OWNER_FILE), '4194305 1');
      execFileSync('mount', ['-t', 'tmpfs', 'kiln-test-stale', path.join(stale, 'mnt')]);
      // A kept workspace (no owner file) and a foreign directory stay.
      await fs.mkdir(path.join(ws, 'kiln-kept'));
      const ctx = await lab.context({ Dockerfile: `FROM ${lab.base}\nRUN true\n` });
      const child = startKiln(ctx, ws, ['--no-push']);
      expect((await exitOf(child)).code).toBe(0);
      expect(await fs.readdir(ws)).toEqual(['kiln-kept']);
      expect(mountPointsUnder(ws)).toEqual([]);
    });

    test('a cancelled action removes its credentials; after SIGKILL, the post step does', async () => {
      const script = await installAction(path.join(lab.tmp, '_actions/kiln/v1'));
      const inputs = {
        registry: lab.registry.host,
        image: 'team/cancelled',
        username: lab.registry.username!,
        password: lab.registry.password!,
        path: 'app',
      };
      const authDirs = async (runnerTemp: string) =>
        (await fs.readdir(runnerTemp)).filter((n) => n.startsWith('kiln-auth-'));
      for (const how of ['SIGINT', 'SIGKILL'] as const) {
        const job = await makeJob(path.join(lab.tmp, `job-${how}`));
        await fs.mkdir(path.join(job.workspace, 'app'));
        await fs.writeFile(
          path.join(job.workspace, 'app/Dockerfile'),
          `FROM ${lab.base}\nRUN echo kiln-run-started && sleep 60\n`,
        );
        const run = startAction({ node: process.execPath, script, job, inputs });
        await waitForOutput(run.child, 'kiln-run-started');
        expect(await authDirs(job.runnerTemp)).toHaveLength(1);
        run.child.kill(how);
        const r = await run.done;
        expect(r.code).not.toBe(0);
        if (how === 'SIGINT') {
          expect(await authDirs(job.runnerTemp)).toEqual([]);
          continue;
        }
        // SIGKILL: nothing could run; the post step (action.yml post:, if: always()) removes it.
        expect(await authDirs(job.runnerTemp)).toHaveLength(1);
        const post = await runAction({
          node: process.execPath,
          script,
          job,
          inputs,
          state: await readState(job),
        });
        expect(post.code).toBe(0);
        expect(await authDirs(job.runnerTemp)).toEqual([]);
      }
    });
  },
);
