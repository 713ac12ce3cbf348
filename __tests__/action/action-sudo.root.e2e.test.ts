/**
 * The bundled action as a GitHub-hosted runner runs it: a non-root user with
 * passwordless sudo. A throwaway user (useradd + a sudoers.d NOPASSWD
 * drop-in, both removed afterwards) runs dist/index.js; the Dockerfile's RUN
 * steps make the action re-run the build as root under `sudo -n`. The pushed
 * image holds the RUN's result, none of the runner's environment reached the
 * RUN, and the files the build wrote for the user are the user's. A user
 * without sudo gets rootless isolation where the kernel allows it, or a
 * clear error; a Dockerfile without RUN needs no privileges at all.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials.js';
import { BUSYBOX_FIXTURE_BINARIES, pushBusyboxImage } from '../lab/busybox-fixture.js';
import { describeWith, hasUnprivilegedUserns } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import {
  formatRun,
  installAction,
  makeJob,
  NODE24,
  type RunnerJob,
  runAction,
  SHA,
  unpackPushed,
} from './action-runner.js';

interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  sudoers?: string;
}

describeWith(
  {
    root: true,
    binaries: [
      ...BUSYBOX_FIXTURE_BINARIES,
      'sudo',
      'useradd',
      'userdel',
      'setpriv',
      'unshare',
      'docker-registry',
      'openssl',
      'skopeo',
      'umoci',
    ],
  },
  'the bundled action as a non-root runner user',
  () => {
    let registry: TestRegistry;
    let client: RegistryClient;
    let tmp: string;
    let script: string;
    const users: TestUser[] = [];
    let jobs = 0;

    async function addUser(sudo: boolean): Promise<TestUser> {
      const name = `kiln${randomBytes(4).toString('hex')}`;
      const home = path.join(tmp, `home-${name}`);
      execFileSync('useradd', [
        '--create-home',
        '--home-dir',
        home,
        '--shell',
        '/bin/sh',
        '--user-group',
        name,
      ]);
      const user: TestUser = {
        name,
        home,
        uid: Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim()),
      };
      users.push(user);
      if (sudo) {
        user.sudoers = `/etc/sudoers.d/kiln-test-${name}`;
        await fs.writeFile(user.sudoers, `${name} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
        execFileSync('visudo', ['-cf', user.sudoers], { stdio: 'ignore' });
      }
      return user;
    }

    beforeAll(async () => {
      registry = await startRegistry({ auth: 'token' });
      const creds = { kind: 'basic' as const, username: registry.username!, password: registry.password! };
      client = new RegistryClient({ credentials: staticCredentials({ [registry.host]: creds }) });
      await pushBusyboxImage(client, [parseReference(`${registry.host}/base/busybox:1`)]);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-action-sudo-'));
      await fs.chmod(tmp, 0o755);
      script = await installAction(path.join(tmp, '_actions/kiln/v1'));
    });

    afterAll(async () => {
      for (const u of users) {
        if (u.sudoers) await fs.rm(u.sudoers, { force: true });
        try {
          execFileSync('userdel', ['--remove', u.name], { stdio: 'ignore' });
        } catch {
          // The home is under tmp, removed below.
        }
      }
      await client?.close();
      await registry?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    async function job(user: TestUser, files: Record<string, string>): Promise<RunnerJob> {
      const j = await makeJob(path.join(tmp, `job-${++jobs}`), user);
      for (const [name, text] of Object.entries(files)) {
        await fs.writeFile(path.join(j.workspace, name), text);
        await fs.chown(path.join(j.workspace, name), user.uid, user.gid);
      }
      return j;
    }

    const withRun = () => ({
      Dockerfile: [
        `FROM ${registry.host}/base/busybox:1`,
        'RUN echo "built by uid $(id -u)" > /built.txt && env > /run-env.txt',
        'COPY hello.txt /hello.txt',
      ].join('\n'),
      'hello.txt': 'hello\n',
    });

    const inputs = (extra: Record<string, string> = {}) => ({
      registry: registry.host,
      image: 'team/sudo-app',
      username: registry.username!,
      password: registry.password!,
      ...extra,
    });

    /** Every path under (and including) p, with its owner. */
    async function owners(p: string): Promise<Array<{ path: string; uid: number }>> {
      const st = await fs.lstat(p);
      const out = [{ path: p, uid: st.uid }];
      if (st.isDirectory()) for (const n of await fs.readdir(p)) out.push(...(await owners(path.join(p, n))));
      return out;
    }

    const unpack = (ref: string) =>
      unpackPushed(ref, { username: registry.username!, password: registry.password! }, tmp);

    test('RUN steps: the build runs as root under sudo -n, the image holds the RUN result, outputs are the user’s', async () => {
      const user = await addUser(true);
      const j = await job(user, withRun());
      const r = await runAction({
        node: NODE24,
        script,
        job: j,
        user,
        inputs: inputs({
          extra_args: '--oci-layout-path out/oci --tar-path out/image.tar --digest-file out/digest',
        }),
      });
      if (r.code !== 0) throw new Error(`the action failed:\n${formatRun(r)}`);
      expect(r.stdout).toContain(
        'privileges: RUN steps need root: running the build as root with passwordless sudo',
      );
      expect(r.stdout).toContain('RUN isolation: chroot');

      const ref = `${registry.host}/team/sudo-app:${SHA.slice(0, 7)}`;
      const digest = r.outputs.get('digest')!;
      expect(r.outputs.get('image')).toBe(ref);
      expect((await client.headManifest(parseReference(ref)))?.digest).toBe(digest);
      expect(r.summary).toContain('| Stage | Step |');

      const rootfs = await unpack(ref);
      expect(await fs.readFile(`${rootfs}/built.txt`, 'utf8')).toBe('built by uid 0\n');
      expect(await fs.readFile(`${rootfs}/hello.txt`, 'utf8')).toBe('hello\n');
      const runEnv = await fs.readFile(`${rootfs}/run-env.txt`, 'utf8');
      expect(runEnv).not.toMatch(/INPUT_|GITHUB_|RUNNER_|kiln-pass|ghs_/);

      // The outputs the root build wrote belong to the user, every file of the OCI layout included.
      const out = path.join(j.workspace, 'out');
      const written = await owners(out);
      expect(written.map((e) => e.path)).toEqual(
        expect.arrayContaining([`${out}/oci/index.json`, `${out}/image.tar`, `${out}/digest`]),
      );
      expect(written.filter((e) => e.uid !== user.uid)).toEqual([]);
      expect(await fs.readFile(`${out}/digest`, 'utf8')).toBe(digest);
      for (const f of [j.outputFile, j.summaryFile]) expect((await fs.stat(f)).uid).toBe(user.uid);
      // Nothing left behind in RUNNER_TEMP: no credentials, no request files.
      expect(await fs.readdir(j.runnerTemp)).toEqual(['_runner_file_commands']);
    });

    test('COPY without RUN and config-only Dockerfiles run as the user, no sudo', async () => {
      const user = await addUser(true);
      const copy = await job(user, { Dockerfile: 'FROM scratch\nCOPY hello.txt /\n', 'hello.txt': 'hi\n' });
      const r1 = await runAction({
        node: NODE24,
        script,
        job: copy,
        user,
        inputs: inputs({ push: 'false' }),
      });
      if (r1.code !== 0) throw new Error(`the action failed:\n${formatRun(r1)}`);
      expect(r1.stdout).toContain('privileges: the Dockerfile has no RUN steps: no privileges needed');

      const config = await job(user, {
        Dockerfile: `FROM ${registry.host}/base/busybox:1\nENV MODE=config-only\nLABEL a=b\n`,
      });
      const r2 = await runAction({
        node: NODE24,
        script,
        job: config,
        user,
        inputs: inputs({ push: 'false' }),
      });
      if (r2.code !== 0) throw new Error(`the action failed:\n${formatRun(r2)}`);
      expect(r2.stdout).toContain('privileges: the Dockerfile has no RUN steps: no privileges needed');
      expect(r2.outputs.get('digest')).toMatch(/^sha256:/);
    });

    test('no sudo: RUN-only Dockerfiles get rootless isolation where user namespaces work, else a clear error', async () => {
      const user = await addUser(false);
      const j = await job(user, {
        Dockerfile: `FROM ${registry.host}/base/busybox:1\nRUN echo "built by uid $(id -u)" > /built.txt\n`,
      });
      // Both outcomes are asserted; under CI the machine must have user namespaces, so the rootless one runs.
      const userns = hasUnprivilegedUserns(user.name);
      if (!userns && process.env.CI === 'true') {
        throw new Error(
          'missing prerequisite: unprivileged user namespaces (CI=true: the rootless path must run)',
        );
      }
      const r = await runAction({
        node: NODE24,
        script,
        job: j,
        user,
        inputs: inputs({ image: 'team/rootless-app' }),
      });
      if (userns) {
        if (r.code !== 0) throw new Error(`the action failed:\n${formatRun(r)}`);
        expect(r.stdout).toMatch(
          /privileges: RUN steps need root, and sudo -n is not available \(.+\): using rootless isolation/,
        );
        expect(r.stdout).toContain('RUN isolation: rootless');
        const rootfs = await unpack(`${registry.host}/team/rootless-app:${SHA.slice(0, 7)}`);
        expect(await fs.readFile(`${rootfs}/built.txt`, 'utf8')).toBe('built by uid 0\n');
      } else {
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/::error::the Dockerfile has RUN steps, which need root or user namespaces/);
      }
    });
  },
);
