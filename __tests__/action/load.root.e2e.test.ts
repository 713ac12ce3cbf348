/**
 * build-push-action's `load: true` as the runner runs it: the action writes
 * a docker-archive to RUNNER_TEMP, `docker load`s it into the job's Docker
 * (a dockerd of the test's own) and removes it; the image is then there for
 * a later step, without a push. Without a docker CLI the step fails before
 * building, and says what to write instead.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials.js';
import { BUSYBOX_FIXTURE_BINARIES, pushBusyboxImage } from '../lab/busybox-fixture.js';
import { DOCKER, type Dockerd, startDockerd } from '../lab/dockerd.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { formatRun, installAction, makeJob, NODE24, runAction, SHA } from './action-runner.js';

const execFileP = promisify(execFile);

describeWith(
  { root: true, binaries: [...BUSYBOX_FIXTURE_BINARIES, 'docker-registry', 'openssl', 'dockerd', 'docker'] },
  'load: true',
  () => {
    let registry: TestRegistry;
    let dockerd: Dockerd;
    let tmp: string;
    let script: string;

    beforeAll(async () => {
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-load-'));
      registry = await startRegistry({ auth: 'token' });
      const creds = { kind: 'basic' as const, username: registry.username!, password: registry.password! };
      const client = new RegistryClient({ credentials: staticCredentials({ [registry.host]: creds }) });
      await pushBusyboxImage(client, [parseReference(`${registry.host}/base/busybox:1`)]);
      await client.close();
      dockerd = await startDockerd();
      script = await installAction(path.join(tmp, '_actions/kiln/v1'));
    }, 60_000);

    afterAll(async () => {
      await dockerd?.stop();
      await registry?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    const inputs = () => ({
      registry: registry.host,
      username: registry.username!,
      password: registry.password!,
      image: 'team/loaded',
      load: 'true',
    });

    test('the image is loaded into the runner’s Docker and not pushed; the temporary tar is gone', async () => {
      const j = await makeJob(path.join(tmp, 'job-1'));
      await fs.writeFile(
        path.join(j.workspace, 'Dockerfile'),
        `FROM ${registry.host}/base/busybox:1\nLABEL loaded=yes\nCMD ["echo", "hi"]\n`,
      );
      const r = await runAction({
        node: NODE24,
        script,
        job: j,
        inputs: inputs(),
        github: { DOCKER_HOST: dockerd.host },
      });
      if (r.code !== 0) throw new Error(`the action failed:\n${formatRun(r)}`);
      const ref = `${registry.host}/team/loaded:${SHA.slice(0, 7)}`;
      expect(r.stdout).toContain(`docker load: Loaded image: ${ref}`);
      const { stdout } = await execFileP(DOCKER, ['image', 'inspect', ref], {
        env: { PATH: process.env.PATH, DOCKER_HOST: dockerd.host },
      });
      const [inspected] = JSON.parse(stdout);
      expect(inspected.Config.Labels.loaded).toBe('yes');
      expect(inspected.Id).toBe(r.outputs.get('imageid'));
      expect(JSON.parse(r.outputs.get('metadata')!).pushed).toBe(false);
      expect(
        registry
          .requests()
          .some((q) => q.path.startsWith('/v2/team/loaded/manifests/') && q.method === 'PUT'),
      ).toBe(false);
      expect((await fs.readdir(j.runnerTemp)).filter((n) => n.startsWith('kiln-load-'))).toEqual([]);
    });

    test('no docker CLI: the step fails before the build, saying what to write instead', async () => {
      const j = await makeJob(path.join(tmp, 'job-2'));
      await fs.writeFile(path.join(j.workspace, 'Dockerfile'), `FROM ${registry.host}/base/busybox:1\n`);
      const empty = path.join(tmp, 'empty-bin');
      await fs.mkdir(empty, { recursive: true });
      const r = await runAction({ node: NODE24, script, job: j, inputs: inputs(), github: { PATH: empty } });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/::error::load: true .* needs the docker CLI on PATH/);
      expect(r.stdout).toContain('outputs: type=docker,dest=image.tar');
      expect(r.stdout).not.toContain('::group::Stage');
    });
  },
);
