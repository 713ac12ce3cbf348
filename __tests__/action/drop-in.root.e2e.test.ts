/**
 * The action as a drop-in for docker/build-push-action and aevea/action-kaniko
 * (issue 16), each scenario run as the runner runs it: dist/index.js under
 * Node 24, INPUT_<NAME> variables (dashes kept), the token-auth registry.
 * Root, so that RUN steps build in-process (chroot isolation).
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
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import {
  formatRun,
  installAction,
  makeJob,
  NODE24,
  type RunnerJob,
  type RunResult,
  runAction,
  SHA,
  unpackPushed,
} from './action-runner.js';

const execFileP = promisify(execFile);
const OTHER_SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';

describeWith(
  {
    root: true,
    binaries: [
      ...BUSYBOX_FIXTURE_BINARIES,
      'docker-registry',
      'openssl',
      'skopeo',
      'umoci',
      'unshare',
      'setpriv',
    ],
  },
  'the action as a drop-in (build-push-action and aevea names, outputs, summary)',
  () => {
    let registry: TestRegistry;
    let client: RegistryClient;
    let tmp: string;
    let script: string;
    let base: string;
    let jobs = 0;
    const READER = { name: 'reader', password: 'reader-pass' };

    beforeAll(async () => {
      registry = await startRegistry({
        auth: 'token',
        users: {
          kiln: { password: 'kiln-pass' },
          [READER.name]: { password: READER.password, access: { '*': ['pull'] } },
        },
      });
      const creds = { kind: 'basic' as const, username: registry.username!, password: registry.password! };
      client = new RegistryClient({ credentials: staticCredentials({ [registry.host]: creds }) });
      base = `${registry.host}/base/busybox:1`;
      await pushBusyboxImage(client, [parseReference(base)]);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-drop-in-'));
      script = await installAction(path.join(tmp, '_actions/kiln/v1'));
    });

    afterAll(async () => {
      await client?.close();
      await registry?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    async function job(files: Record<string, string>): Promise<RunnerJob> {
      const j = await makeJob(path.join(tmp, `job-${++jobs}`));
      await writeFiles(j, files);
      return j;
    }

    async function writeFiles(j: RunnerJob, files: Record<string, string>): Promise<void> {
      for (const [name, text] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(j.workspace, name)), { recursive: true });
        await fs.writeFile(path.join(j.workspace, name), text);
      }
    }

    const login = () => ({
      registry: registry.host,
      username: registry.username!,
      password: registry.password!,
    });

    function run(j: RunnerJob, inputs: Record<string, string>, github: Record<string, string> = {}) {
      return runAction({ node: NODE24, script, job: j, inputs, github });
    }

    function expectSuccess(r: RunResult): void {
      if (r.code !== 0) throw new Error(`the action failed:\n${formatRun(r)}`);
    }

    function errors(r: RunResult): string[] {
      return r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    }

    async function skopeo(...args: string[]): Promise<string> {
      const creds = ['--creds', `${registry.username}:${registry.password}`];
      const { stdout } = await execFileP('skopeo', [
        args[0]!,
        '--tls-verify=false',
        ...creds,
        ...args.slice(1),
      ]);
      return stdout;
    }

    const rootfs = (ref: string) =>
      unpackPushed(ref, { username: registry.username!, password: registry.password! }, tmp);

    const head = (ref: string) => client.headManifest(parseReference(ref));

    test("build-push-action's names: build-args, labels, tags (no image), target, outputs; every output and the summary", async () => {
      const repo = `${registry.host}/team/bpa`;
      const j = await job({
        Dockerfile: [
          `FROM ${base} AS builder`,
          'RUN echo built > /built',
          `FROM ${base} AS final`,
          'ARG MESSAGE',
          'ENV MESSAGE=$MESSAGE',
          'COPY --from=builder /built /built',
          `FROM ${base}`,
          'RUN echo never',
        ].join('\n'),
      });
      const r = await run(j, {
        ...login(),
        tags: `${repo}:v1\n${repo}:latest`,
        'build-args': 'MESSAGE=from build-args',
        labels: 'org.example.k=v',
        target: 'final',
        outputs: 'type=registry\ntype=docker,dest=out/image.tar\ntype=oci,dest=out/image-oci.tar',
      });
      expectSuccess(r);
      const digest = r.outputs.get('digest')!;
      for (const tag of ['v1', 'latest']) expect((await head(`${repo}:${tag}`))?.digest).toBe(digest);
      const config = JSON.parse(await skopeo('inspect', '--config', `docker://${repo}:v1`));
      expect(config.config.Env).toContain('MESSAGE=from build-args');
      expect(config.config.Labels['org.example.k']).toBe('v');
      const manifest = JSON.parse(await skopeo('inspect', '--raw', `docker://${repo}:v1`));

      // Outputs: imageid is the config digest; image-tag-digest lists every reference; build-push-action's metadata.
      expect(r.outputs.get('imageid')).toBe(manifest.config.digest);
      expect(r.outputs.get('image')).toBe(`${repo}:v1`);
      expect(r.outputs.get('image-tag-digest')).toBe(`${repo}:v1@${digest}\n${repo}:latest@${digest}`);
      const metadata = JSON.parse(r.outputs.get('metadata')!);
      expect(metadata).toMatchObject({
        'containerimage.digest': digest,
        'containerimage.config.digest': manifest.config.digest,
        'containerimage.descriptor': { mediaType: manifest.mediaType, digest },
        'image.name': `${repo}:v1,${repo}:latest`,
        pushed: true,
        refreshed: true,
      });
      expect(metadata['containerimage.descriptor'].size).toBeGreaterThan(100);

      // type=docker,dest: a docker-archive; type=oci,dest: a tar of an OCI layout. Both hold the image.
      const archive = JSON.parse(
        (await execFileP('skopeo', ['inspect', '--config', `docker-archive:${j.workspace}/out/image.tar`]))
          .stdout,
      );
      expect(archive.config.Env).toContain('MESSAGE=from build-args');
      const ociDir = path.join(tmp, 'oci-from-tar');
      await fs.mkdir(ociDir);
      await execFileP('tar', ['-xf', `${j.workspace}/out/image-oci.tar`, '-C', ociDir]);
      const oci = JSON.parse((await execFileP('skopeo', ['inspect', '--raw', `oci:${ociDir}:v1`])).stdout);
      expect(oci.config.digest).toBe(manifest.config.digest);

      // The log: BuildKit-style step numbers, the isolation said once, the push outside the stage groups.
      expect(r.stdout).toMatch(/^\[builder 1\/2\] FROM .*\(sha256:[0-9a-f]{64}\)$/m);
      expect(r.stdout).toMatch(/^\[builder 2\/2\] RUN echo built > \/built$/m);
      expect(r.stdout).toMatch(/^\[final 2\/2\] COPY --from=builder \/built \/built$/m);
      expect(r.stdout.match(/RUN isolation/g)).toHaveLength(1);
      const lines = r.stdout.split('\n');
      const pushed = lines.findIndex((l) => l.startsWith('pushed '));
      expect(pushed).toBeGreaterThan(0);
      expect(lines.slice(0, pushed).lastIndexOf('::endgroup::')).toBeGreaterThan(
        lines.slice(0, pushed).lastIndexOf('::group::Stage: final'),
      );

      // The summary: stage names, FROM lines with the base digest, the builder's layer marked.
      expect(r.summary).toMatch(/\| `builder` \| 1 \| `FROM [^`]+@sha256:[0-9a-f]{64}` \|/);
      expect(r.summary).toMatch(
        /\| `RUN echo built > \/built` \| off \| [^|]+ \| [^|]+ \(not in the image\) \|/,
      );
      expect(r.summary).toMatch(/\| `final` \| 1 \| `FROM /);
    });

    test('inputs Kiln does not implement, and refused kaniko flags, fail the step by name before any build', async () => {
      const j = await job({ Dockerfile: `FROM ${base}\n` });
      const r = await run(j, {
        ...login(),
        image: 'team/refused',
        'shm-size': '2g',
        builder: 'buildx-builder-1',
        ulimit: 'nofile=1024:1024',
        extra_args: '--registry-mirror mirror.gcr.io',
      });
      expect(r.code).toBe(1);
      expect(errors(r)).toHaveLength(1);
      for (const name of ['shm-size', 'builder', 'ulimit', 'extra_args']) {
        expect(errors(r)[0]).toContain(`input "${name}"`);
      }
      expect(errors(r)[0]).toContain('is not needed: Kiln is the builder');
      expect(errors(r)[0]).toContain('flag --registry-mirror is not supported');
      expect(r.stdout).not.toContain('::group::Stage');
      expect(r.summary).toContain('## Kiln: build failed');
      expect(await head(`${registry.host}/team/refused:${SHA.slice(0, 7)}`)).toBeUndefined();
    });

    test('cache_directory inside the context stays out of the image; the second run hits; a changed file says so', async () => {
      const j = await job({
        Dockerfile: [`FROM ${base}`, 'COPY . /src', 'RUN ls -a /src > /listing'].join('\n'),
        'app.txt': 'one\n',
      });
      const inputs = { ...login(), image: 'team/cached', cache: 'true', cache_directory: '.kiln-cache' };
      const first = await run(j, inputs);
      expectSuccess(first);
      expect(first.stdout).toContain('context: leaving out .kiln-cache (the layer cache)');
      expect((await fs.readdir(path.join(j.workspace, '.kiln-cache'))).length).toBeGreaterThan(0);
      const second = await run(j, inputs);
      expectSuccess(second);
      expect(second.outputs.get('digest')).toBe(first.outputs.get('digest'));
      expect(second.summary).toMatch(/cache 2\/2 hits/);
      const root = await rootfs(second.outputs.get('image')!);
      expect((await fs.readdir(path.join(root, 'src'))).sort()).toEqual(['Dockerfile', 'app.txt']);
      expect(await fs.readFile(path.join(root, 'listing'), 'utf8')).not.toContain('.kiln-cache');

      await fs.writeFile(path.join(j.workspace, 'app.txt'), 'two\n');
      const third = await run(j, inputs);
      expectSuccess(third);
      expect(third.summary).toContain('| miss (file app.txt changed) |');
      expect(third.summary).toContain('| miss (an earlier step changed) |');
      expect(third.stdout).toMatch(/\[stage-0 2\/3\] cache miss \(file app\.txt changed\): COPY \. \/src/);
    });

    test('cache-from/cache-to (type=registry) fill and read the cache; no-cache looks nothing up; cache-from alone only reads', async () => {
      const files = {
        Dockerfile: `FROM ${base}\nCOPY app.txt /app.txt\nRUN cat /app.txt > /copy\n`,
        'app.txt': 'x\n',
      };
      const cacheRepo = `${registry.host}/team/bpa-cache`;
      const inputs = {
        ...login(),
        image: 'team/bpa-cached',
        'cache-from': `type=registry,ref=${cacheRepo}`,
        'cache-to': `type=registry,ref=${cacheRepo},mode=max`,
      };
      const first = await run(await job(files), inputs);
      expectSuccess(first);
      expect(first.stdout).toContain(`layer cache: registry ${cacheRepo}`);
      const second = await run(await job(files), inputs);
      expectSuccess(second);
      expect(second.summary).toMatch(/cache 2\/2 hits/);
      const noCache = await run(await job(files), { ...inputs, 'no-cache': 'true' });
      expectSuccess(noCache);
      expect(noCache.summary).toContain('| miss (no-cache: not looked up) |');
      // cache-from alone: read, nothing stored for a changed file.
      const changed = { ...files, 'app.txt': 'y\n' };
      const readOnly = await run(await job(changed), { ...inputs, 'cache-to': '' });
      expectSuccess(readOnly);
      expect(readOnly.stdout).toContain(`layer cache: registry ${cacheRepo} (read-only)`);
      expect(readOnly.summary).toContain('| miss (file app.txt changed) |');
      const again = await run(await job(changed), { ...inputs, 'cache-to': '' });
      expectSuccess(again);
      expect(again.summary).toContain('| miss (file app.txt changed) |');
    });

    test('skip_unchanged_digest on a new commit pushes nothing, says what it compared, and the outputs agree', async () => {
      const files = { Dockerfile: `FROM ${base}\nCOPY app.txt /app.txt\n`, 'app.txt': 'same\n' };
      const repo = `${registry.host}/team/skip`;
      const inputs = {
        ...login(),
        image: 'team/skip',
        tag_with_latest: 'true',
        skip_unchanged_digest: 'true',
      };
      const first = await run(await job(files), inputs);
      expectSuccess(first);
      expect(first.outputs.get('refreshed')).toBe('true');

      // Another commit: the revision label differs, nothing else does.
      const second = await run(await job(files), inputs, { GITHUB_SHA: OTHER_SHA });
      expectSuccess(second);
      expect(second.stdout).toContain(
        `unchanged check: ${repo}:latest holds ${first.outputs.get('digest')}: the same layers and config (ignoring the labels org.opencontainers.image.revision, org.opencontainers.image.created and timestamps)`,
      );
      expect(second.outputs.get('refreshed')).toBe('false');
      expect(second.outputs.get('image')).toBe(`${repo}:latest`);
      expect(second.outputs.get('digest')).toBe(first.outputs.get('digest'));
      expect(JSON.parse(second.outputs.get('metadata')!)).toMatchObject({ pushed: false, refreshed: false });
      expect(await head(`${repo}:${OTHER_SHA.slice(0, 7)}`)).toBeUndefined();
      expect(second.summary).toContain('The registry already held this image (skip_unchanged_digest)');

      // A changed file is a changed image: pushed.
      const third = await run(await job({ ...files, 'app.txt': 'changed\n' }), inputs, {
        GITHUB_SHA: OTHER_SHA,
      });
      expectSuccess(third);
      expect(third.stdout).toMatch(/unchanged check: .*:latest holds sha256:[0-9a-f]+: layer 2 differs/);
      expect(third.outputs.get('refreshed')).toBe('true');
      expect((await head(`${repo}:${OTHER_SHA.slice(0, 7)}`))?.digest).toBe(third.outputs.get('digest'));
    });

    test('a missing push permission fails before the build; --skip-push-permission-check defers it to the push', async () => {
      const files = { Dockerfile: `FROM ${base}\nRUN echo step-ran\n` };
      const inputs = {
        registry: registry.host,
        image: 'team/denied',
        username: READER.name,
        password: READER.password,
      };
      const r = await run(await job(files), inputs);
      expect(r.code).toBe(1);
      expect(errors(r)[0]).toMatch(/check push permission \(.*team\/denied\) failed/);
      expect(r.stdout).not.toContain('step-ran');
      expect(r.summary).toContain('## Kiln: build failed');

      const skipped = await run(await job(files), { ...inputs, extra_args: '--skip-push-permission-check' });
      expect(skipped.code).toBe(1);
      expect(skipped.stdout).toContain('step-ran');
      expect(errors(skipped)[0]).not.toContain('check push permission');
    });

    test('a failing RUN: one annotation on its line and a failure summary with the step, its output and the cause', async () => {
      const j = await job({ Dockerfile: `FROM ${base}\nRUN echo boom-line && exit 3\n` });
      const r = await run(j, { ...login(), image: 'team/fails' });
      expect(r.code).toBe(1);
      expect(errors(r)).toHaveLength(1);
      expect(errors(r)[0]).toMatch(/^::error title=Dockerfile error,file=Dockerfile,line=2::/);
      expect(r.summary).toContain('**Failed step:** `Dockerfile:2`');
      expect(r.summary).toContain('RUN echo boom-line && exit 3');
      expect(r.summary).toMatch(/\*\*Last output:\*\*\n\n```\nboom-line\n```/);
      expect(r.summary).toMatch(/exited with code 3/);
      expect(r.outputs.size).toBe(0);
    });

    test('extra_args: $VARs expand from the environment, kaniko’s digest files; sha_length; a hint names inputs', async () => {
      const j = await job({ Dockerfile: `FROM ${base}\nARG MESSAGE\nENV MESSAGE=$MESSAGE\n` });
      const r = await run(
        j,
        {
          ...login(),
          image: 'team/expand',
          sha_length: '12',
          extra_args:
            // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, expanded by extra_args
            '--label "version=$APP_VERSION" --build-arg MESSAGE=${GREETING} --image-name-tag-with-digest-file=out/itd',
        },
        { APP_VERSION: '1.2.3', GREETING: 'hi there' },
      );
      expectSuccess(r);
      const ref = `${registry.host}/team/expand:${SHA.slice(0, 12)}`;
      expect(r.outputs.get('image')).toBe(ref);
      const config = JSON.parse(await skopeo('inspect', '--config', `docker://${ref}`));
      expect(config.config.Labels.version).toBe('1.2.3');
      expect(config.config.Env).toContain('MESSAGE=hi there');
      expect(await fs.readFile(path.join(j.workspace, 'out/itd'), 'utf8')).toBe(
        `${r.outputs.get('image-tag-digest')}\n`,
      );

      // Wrong credentials: the hint names the action's inputs, not a CLI flag.
      const wrong = await run(await job({ Dockerfile: `FROM ${base}\n` }), {
        ...login(),
        image: 'team/expand',
        password: 'wrong-password',
      });
      expect(wrong.code).toBe(1);
      expect(errors(wrong)[0]).toContain('the username and password inputs');
      expect(errors(wrong)[0]).not.toContain('{{');
    });
  },
);
