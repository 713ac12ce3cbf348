/**
 * The bundled action (dist/index.js) run the way the GitHub runner runs it,
 * under Node 24 (what GitHub uses) and the machine's Node 20, pushing to the
 * test registry that emulates ghcr.io's token flow: the image lands at the
 * short-SHA tag and `latest`, the outputs and the job summary are written,
 * the password is masked, and the two Node versions build the same digest.
 * Failures end in one annotation: a Dockerfile error on its file and line.
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
import { type GitServers, startGitServers } from '../lab/git-server.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import {
  formatRun,
  installAction,
  makeJob,
  NODE20,
  NODE24,
  type RunResult,
  runAction,
  SHA,
} from './action-runner.js';

const execFileP = promisify(execFile);

describeWith(
  { binaries: [...BUSYBOX_FIXTURE_BINARIES, 'docker-registry', 'openssl', 'skopeo'] },
  'the bundled action, as the runner runs it',
  () => {
    let registry: TestRegistry;
    let client: RegistryClient;
    let tmp: string;
    let script: string;
    let jobs = 0;

    beforeAll(async () => {
      registry = await startRegistry({ auth: 'token' });
      const creds = { kind: 'basic' as const, username: registry.username!, password: registry.password! };
      client = new RegistryClient({ credentials: staticCredentials({ [registry.host]: creds }) });
      await pushBusyboxImage(client, [parseReference(`${registry.host}/base/busybox:1`)]);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-action-e2e-'));
      script = await installAction(path.join(tmp, '_actions/kiln/v1'));
    });

    afterAll(async () => {
      await client?.close();
      await registry?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    /** A fresh job whose workspace holds these files. */
    async function job(files: Record<string, string>) {
      const j = await makeJob(path.join(tmp, `job-${++jobs}`));
      for (const [name, text] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(j.workspace, name)), { recursive: true });
        await fs.writeFile(path.join(j.workspace, name), text);
      }
      return j;
    }

    const appFiles = () => ({
      'app/Dockerfile': [
        `FROM ${registry.host}/base/busybox:1`,
        'ARG MESSAGE',
        'ENV MESSAGE=$MESSAGE',
        'COPY hello.txt /srv/hello.txt',
        'WORKDIR /srv',
        'CMD ["cat", "/srv/hello.txt"]',
      ].join('\n'),
      'app/hello.txt': 'hello from the action\n',
    });

    const appInputs = () => ({
      registry: registry.host,
      image: 'team/app',
      username: registry.username!,
      password: registry.password!,
      path: 'app',
      build_args: 'MESSAGE=hello world',
      tag_with_latest: 'true',
    });

    async function skopeoConfig(ref: string) {
      const { stdout } = await execFileP('skopeo', [
        'inspect',
        '--config',
        '--tls-verify=false',
        '--creds',
        `${registry.username}:${registry.password}`,
        `docker://${ref}`,
      ]);
      return JSON.parse(stdout);
    }

    function expectSuccess(r: RunResult): void {
      if (r.code !== 0) throw new Error(`the action failed:\n${formatRun(r)}`);
    }

    let node24Digest = '';

    test('Node 24: pushes the short-SHA and latest tags; outputs, summary and masking as on GitHub', async () => {
      const j = await job(appFiles());
      const r = await runAction({ node: NODE24, script, job: j, inputs: appInputs() });
      expectSuccess(r);

      const repo = `${registry.host}/team/app`;
      const short = SHA.slice(0, 7);
      expect(r.outputs.get('image')).toBe(`${repo}:${short}`);
      expect(r.outputs.get('tags')).toBe(`${repo}:${short}\n${repo}:latest`);
      const digest = r.outputs.get('digest')!;
      expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(r.outputs.get('image-tag-digest')).toBe(`${repo}:${short}@${digest}\n${repo}:latest@${digest}`);
      expect(r.outputs.get('refreshed')).toBe('true');
      const metadata = JSON.parse(r.outputs.get('metadata')!);
      expect(metadata).toMatchObject({
        digest,
        pushed: true,
        references: [`${repo}:${short}`, `${repo}:latest`],
      });

      // Both tags hold the digest the action reported.
      for (const tag of [short, 'latest']) {
        const head = await client.headManifest(parseReference(`${repo}:${tag}`));
        expect(head?.digest).toBe(digest);
      }
      const config = await skopeoConfig(`${repo}:${short}`);
      expect(config.config.Env).toContain('MESSAGE=hello world');
      expect(config.config.Labels['org.opencontainers.image.revision']).toBe(SHA);
      expect(config.config.Labels['org.opencontainers.image.source']).toBe(
        'https://github.com/Kiln-Test/Widget',
      );

      // The job summary: the steps table, the digest, the references and a pull line.
      expect(r.summary).toContain('| Stage | Step | Instruction | Cache | Time | Layer |');
      expect(r.summary).toMatch(/\| `COPY hello\.txt \/srv\/hello\.txt` \|/);
      expect(r.summary).toContain(digest);
      expect(r.summary).toContain(`docker pull ${repo}:${short}`);

      // The password is masked before anything else is printed, and never printed in the clear.
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe(`::add-mask::${registry.password}`);
      expect(lines.filter((l) => l.includes(registry.password!) && !l.startsWith('::add-mask::'))).toEqual(
        [],
      );
      // One group per stage, and the plan.
      expect(r.stdout).toContain('::group::Kiln: plan');
      expect(r.stdout).toMatch(/^::group::Stage: stage-0$/m);
      expect(r.stdout).toMatch(/^\[stage-0 1\/3\] FROM .* \(sha256:[0-9a-f]{64}\)$/m);
      expect(r.stdout).toMatch(/^\[stage-0 2\/3\] COPY hello\.txt \/srv\/hello\.txt$/m);
      expect(r.stdout).toContain('privileges: ');
      // No credentials are left in RUNNER_TEMP.
      expect((await fs.readdir(j.runnerTemp)).filter((f) => f.startsWith('kiln-'))).toEqual([]);
      node24Digest = digest;
    });

    test('Node 20: the same inputs build the same digest; skip_unchanged_digest then pushes nothing', async () => {
      expect(node24Digest).not.toBe('');
      const j = await job(appFiles());
      const r = await runAction({
        node: NODE20,
        script,
        job: j,
        inputs: { ...appInputs(), skip_unchanged_digest: 'true' },
      });
      expectSuccess(r);
      expect(r.outputs.get('digest')).toBe(node24Digest);
      expect(r.outputs.get('refreshed')).toBe('false');
      expect(r.summary).toContain('unchanged, not pushed again');
    });

    test("a private base image pulls with the job's earlier docker login (docker/login-action's config.json)", async () => {
      const priv = await startRegistry({ auth: 'token' });
      try {
        const privCreds = { kind: 'basic' as const, username: priv.username!, password: priv.password! };
        const privClient = new RegistryClient({ credentials: staticCredentials({ [priv.host]: privCreds }) });
        await pushBusyboxImage(privClient, [parseReference(`${priv.host}/team/private-base:1`)]);
        await privClient.close();
        const j = await job({
          Dockerfile: `FROM ${priv.host}/team/private-base:1\nLABEL from=private\n`,
        });
        // What `docker/login-action` leaves behind: an auths entry in $DOCKER_CONFIG/config.json.
        const dockerConfig = path.join(j.dir, 'docker-login');
        await fs.mkdir(dockerConfig);
        const login = JSON.stringify({
          auths: {
            [priv.host]: { auth: Buffer.from(`${priv.username}:${priv.password}`).toString('base64') },
          },
        });
        await fs.writeFile(path.join(dockerConfig, 'config.json'), login);
        const r = await runAction({
          node: NODE24,
          script,
          job: j,
          inputs: {
            registry: registry.host,
            image: 'team/from-private',
            username: registry.username!,
            password: registry.password!,
          },
          github: { DOCKER_CONFIG: dockerConfig },
        });
        expectSuccess(r);
        expect(priv.requests().some((q) => q.path.includes('/team/private-base/manifests/'))).toBe(true);
        expect(await fs.readFile(path.join(dockerConfig, 'config.json'), 'utf8')).toBe(login);
        expect((await fs.readdir(j.runnerTemp)).filter((n) => n.startsWith('kiln-auth-'))).toEqual([]);
      } finally {
        await priv.stop();
      }
    });

    test('a Dockerfile error fails the step with one annotation on the file and line', async () => {
      const j = await job({
        Dockerfile: `FROM ${registry.host}/base/busybox:1\nCOPY a b\nFROBNICATE now\n`,
      });
      const r = await runAction({
        node: NODE20,
        script,
        job: j,
        inputs: { registry: registry.host, image: 'team/broken', password: registry.password! },
      });
      expect(r.code).toBe(1);
      const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^::error title=Dockerfile error,file=Dockerfile,line=3::Dockerfile:3: .*FROBNICATE/i,
      );
      expect(r.outputs.size).toBe(0);
    });

    test('a build check finding is a warning annotation on its Dockerfile line; the build goes on', async () => {
      const j = await job({
        Dockerfile: `FROM ${registry.host}/base/busybox:1\nMAINTAINER me@example.org\nCMD cat /etc/passwd\n`,
      });
      const r = await runAction({
        node: NODE24,
        script,
        job: j,
        inputs: {
          registry: registry.host,
          image: 'team/checked',
          username: registry.username!,
          password: registry.password!,
        },
      });
      expectSuccess(r);
      const warnings = r.stdout.split('\n').filter((l) => l.startsWith('::warning'));
      expect(warnings).toEqual([
        '::warning title=MaintainerDeprecated,file=Dockerfile,line=2,endLine=2::MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/)',
        '::warning title=JSONArgsRecommended,file=Dockerfile,line=3,endLine=3::JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (https://docs.docker.com/go/dockerfile/rule/json-args-recommended/)',
      ]);
    });

    test("a git context (build-push-action's context: <repo>.git#ref:subdir) is fetched, built and removed", async () => {
      let git: GitServers | undefined;
      try {
        git = await startGitServers();
        const { commits } = await git.repo('site', [
          {
            files: {
              'docker/Dockerfile': `FROM ${registry.host}/base/busybox:1\nCOPY page.html /srv/\n`,
              'docker/page.html': '<p>from git</p>\n',
            },
            message: 'site',
          },
        ]);
        const j = await job({});
        const r = await runAction({
          node: NODE24,
          script,
          job: j,
          inputs: {
            registry: registry.host,
            image: 'team/from-git',
            username: registry.username!,
            password: registry.password!,
            context: `${git.httpUrl}/site.git#main:docker`,
            'github-token': 'ghs_notSentToOtherHosts1',
          },
        });
        expectSuccess(r);
        expect(r.stdout).toContain(`context: ${git.httpUrl}/site.git#main:docker at ${commits[0]}`);
        expect(git.authHeaders).toEqual([]);
        expect((await fs.readdir(j.runnerTemp)).filter((n) => n.startsWith('kiln-git-context-'))).toEqual([]);
        expect(r.outputs.get('image')).toMatch(
          new RegExp(`^${registry.host}/team/from-git:${SHA.slice(0, 7)}`),
        );
      } finally {
        await git?.stop();
      }
    });

    test('bad inputs fail before any build, naming each input', async () => {
      const j = await job({ Dockerfile: 'FROM scratch\n' });
      const r = await runAction({
        node: NODE24,
        script,
        job: j,
        inputs: { registry: registry.host, image: 'team/x', sha_length: '3', push: 'maybe' },
      });
      expect(r.code).toBe(1);
      const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('input "push"');
      expect(errors[0]).toContain('input "sha_length"');
      expect(r.stdout).not.toContain('::group::Stage');
    });
  },
);
