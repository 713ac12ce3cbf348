/**
 * The executor end to end as root: a Dockerfile on the busybox base from a
 * token-auth registry (the ghcr.io flow), RUN in the sandbox, COPY from the
 * context and from a stage, pushed back and checked with the lab validator,
 * skopeo and umoci.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@jest/globals';
import { build } from '../../src/executor/build.js';
import { parseReference } from '../../src/image/reference.js';
import { silentLogger } from '../../src/log.js';
import { BUSYBOX_FIXTURE_BINARIES } from '../lab/busybox-fixture.js';
import { useBuildLab } from '../lab/fixtures.js';
import { describeWith } from '../lab/prereq.js';
import { clientFetcher, validateImage } from '../lab/validate-image.js';

const run = promisify(execFile);

describeWith(
  {
    root: true,
    binaries: [
      ...BUSYBOX_FIXTURE_BINARIES,
      'docker-registry',
      'skopeo',
      'umoci',
      'unshare',
      'setpriv',
      'zstd',
    ],
  },
  'kiln build as root against a token-auth registry',
  () => {
    const lab = useBuildLab({ auth: 'token', prefix: 'kiln-exec-' });

    test('multi-stage build with RUN, COPY --chown, USER and WORKDIR is pushed and valid', async () => {
      const ctxDir = await lab.context({
        Dockerfile: [
          `FROM ${lab.registry.host}/base/busybox:1 AS builder`,
          'RUN mkdir -p /out && echo built > /out/artifact && chmod 640 /out/artifact',
          `FROM ${lab.registry.host}/base/busybox:1`,
          'ARG GREETING=hi',
          'ENV APP_HOME=/srv/app',
          'COPY --chown=1000:1000 app.txt $APP_HOME/',
          'COPY --from=builder /out/artifact /opt/artifact',
          'RUN echo "$GREETING from $(id -u)" > /greeting && rm -rf /etc/group- /tmp',
          'USER 1000',
          'WORKDIR /home/user/work',
          'RUN id -u > whoami',
          'CMD ["cat", "/greeting"]',
        ].join('\n'),
        'app.txt': 'app\n',
      });
      const dest = `${lab.registry.host}/team/app:v1`;
      const result = await build(lab.options(ctxDir, dest), silentLogger);
      expect(result.references).toEqual([dest]);
      expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);

      const v = await validateImage(clientFetcher(lab.client), parseReference(dest));
      expect(v.digest).toBe(result.digest);

      const skopeoCreds = `${lab.registry.username}:${lab.registry.password}`;
      const { stdout } = await run('skopeo', [
        'inspect',
        '--config',
        '--tls-verify=false',
        '--creds',
        skopeoCreds,
        `docker://${dest}`,
      ]);
      const config = JSON.parse(stdout);
      expect(config.config.User).toBe('1000');
      expect(config.config.WorkingDir).toBe('/home/user/work');
      expect(config.config.Cmd).toEqual(['cat', '/greeting']);
      expect(config.config.Env).toContain('APP_HOME=/srv/app');

      const oci = path.join(lab.tmp, 'oci');
      await run('skopeo', [
        'copy',
        '--src-tls-verify=false',
        '--src-creds',
        skopeoCreds,
        `docker://${dest}`,
        `oci:${oci}:v1`,
      ]);
      const bundle = path.join(lab.tmp, 'bundle');
      await run('umoci', ['unpack', '--image', `${oci}:v1`, bundle]);
      const root = path.join(bundle, 'rootfs');
      expect(await fs.readFile(path.join(root, 'greeting'), 'utf8')).toBe('hi from 0\n');
      expect(await fs.readFile(path.join(root, 'opt/artifact'), 'utf8')).toBe('built\n');
      expect((await fs.stat(path.join(root, 'opt/artifact'))).mode & 0o777).toBe(0o640);
      const app = await fs.stat(path.join(root, 'srv/app/app.txt'));
      expect([app.uid, app.gid]).toEqual([1000, 1000]);
      expect(await fs.readFile(path.join(root, 'home/user/work/whoami'), 'utf8')).toBe('1000\n');
      const work = await fs.stat(path.join(root, 'home/user/work'));
      expect(work.uid).toBe(1000);
      await expect(fs.stat(path.join(root, 'tmp'))).rejects.toThrow(/ENOENT/);
      // No mount-point stubs or host files captured.
      await expect(fs.readFile(path.join(root, 'etc/resolv.conf'), 'utf8')).rejects.toThrow(/ENOENT/);
    });

    test("the runner's environment and credentials reach neither RUN nor any layer", async () => {
      const secret = 'ghs_kilnTestSecretValue0123456789';
      const saved = { ...process.env };
      process.env.GITHUB_TOKEN = secret;
      process.env.INPUT_PASSWORD = secret;
      try {
        const ctxDir = await lab.context({
          Dockerfile: `FROM ${lab.registry.host}/base/busybox:1\nRUN env > /env.txt; cat /proc/1/environ >> /env.txt 2>/dev/null; true\n`,
        });
        const dest = `${lab.registry.host}/team/secrets:1`;
        const o = lab.options(ctxDir, dest);
        o.push = false;
        o.ociLayoutPath = path.join(lab.tmp, 'secrets-oci');
        await build(o, silentLogger);
        const blobs = path.join(o.ociLayoutPath, 'blobs', 'sha256');
        let envSeen = false;
        for (const name of await fs.readdir(blobs)) {
          const file = path.join(blobs, name);
          const { stdout } = await run(
            'sh',
            ['-c', `(gzip -dc "${file}" 2>/dev/null || cat "${file}") | tar -xOf - 2>/dev/null || true`],
            {
              maxBuffer: 64 << 20,
            },
          );
          if (stdout.includes('PATH=')) envSeen = true;
          expect(stdout).not.toContain(secret);
          expect(stdout).not.toContain(lab.registry.password!);
          expect(stdout).not.toMatch(/GITHUB_TOKEN|INPUT_PASSWORD/);
        }
        expect(envSeen).toBe(true);
      } finally {
        process.env = saved;
      }
    });

    test('a failing RUN names the Dockerfile line, the exit code and its output; nothing is pushed', async () => {
      const ctxDir = await lab.context({
        Dockerfile: `FROM ${lab.registry.host}/base/busybox:1\nRUN echo one\nRUN echo failing-output >&2; exit 3\n`,
      });
      const dest = `${lab.registry.host}/team/broken:1`;
      await expect(build(lab.options(ctxDir, dest), silentLogger)).rejects.toThrow(
        /Dockerfile:3: RUN .*exit 3 exited with code 3[\s\S]*failing-output/,
      );
      expect(await lab.client.headManifest(parseReference(dest))).toBeUndefined();
    });

    test('independent stages both build (in parallel) and feed the final stage; a failing one is the error', async () => {
      const base = `${lab.registry.host}/base/busybox:1`;
      const ctxDir = await lab.context({
        Dockerfile: [
          `FROM ${base} AS a`,
          'RUN echo from-a > /a',
          `FROM ${base} AS b`,
          'RUN echo from-b > /b',
          `FROM ${base} AS unused`,
          'RUN exit 9',
          'FROM scratch',
          'COPY --from=a /a /a',
          'COPY --from=b /b /b',
        ].join('\n'),
      });
      const o = lab.options(ctxDir, `${lab.registry.host}/team/par:1`);
      o.push = false;
      o.ociLayoutPath = path.join(lab.tmp, 'par-oci');
      const result = await build(o, silentLogger);
      expect(result.steps.map((s) => `${s.stage}:${s.step}:${s.instruction}`).sort()).toEqual([
        expect.stringMatching(new RegExp(`^a:1:FROM ${base}@sha256:[0-9a-f]{64}$`)),
        'a:2:RUN echo from-a > /a',
        expect.stringMatching(new RegExp(`^b:1:FROM ${base}@sha256:[0-9a-f]{64}$`)),
        'b:2:RUN echo from-b > /b',
        'stage-3:0:FROM scratch',
        'stage-3:1:COPY --from=a /a /a',
        'stage-3:2:COPY --from=b /b /b',
      ]);
      // The final image holds the last stage's layers only: the builders' are not in it.
      const inImage = new Set(result.layerDigests);
      expect(result.steps.filter((s) => s.layer && inImage.has(s.layer.digest)).map((s) => s.stage)).toEqual([
        'stage-3',
        'stage-3',
      ]);
      const bundle = path.join(lab.tmp, 'par-bundle');
      await run('umoci', ['unpack', '--image', `${o.ociLayoutPath}:1`, bundle]);
      expect(await fs.readFile(path.join(bundle, 'rootfs/a'), 'utf8')).toBe('from-a\n');
      expect(await fs.readFile(path.join(bundle, 'rootfs/b'), 'utf8')).toBe('from-b\n');

      const failing = await lab.context({
        Dockerfile: [
          `FROM ${base} AS a`,
          'RUN sleep 20',
          `FROM ${base} AS b`,
          'RUN exit 7',
          'FROM scratch',
          'COPY --from=a /bin/sh /a',
          'COPY --from=b /bin/sh /b',
        ].join('\n'),
      });
      const f = lab.options(failing, `${lab.registry.host}/team/par:2`);
      f.push = false;
      await expect(build(f, silentLogger)).rejects.toThrow(/Dockerfile:4: RUN exit 7 exited with code 7/);
    });

    test('without RUN isolation a Dockerfile without RUN builds; one with RUN fails saying why and what to do', async () => {
      const base = `${lab.registry.host}/base/busybox:1`;
      const noRun = await lab.context({ Dockerfile: `FROM ${base}\nCOPY f /f\nENV A=1\n`, f: 'x' });
      const o = lab.options(noRun, `${lab.registry.host}/team/norun:1`);
      o.isolation = 'none';
      expect((await build(o, silentLogger)).digest).toMatch(/^sha256:/);
      const withRun = await lab.context({ Dockerfile: `FROM ${base}\nRUN true\n` });
      const r = lab.options(withRun, `${lab.registry.host}/team/norun:2`);
      r.isolation = 'none';
      await expect(build(r, silentLogger)).rejects.toThrow(
        /Dockerfile:2: RUN is not possible here: .*isolation/i,
      );
    });

    test('--reproducible: two builds of the same inputs give the same digest', async () => {
      const ctxDir = await lab.context({
        Dockerfile: `FROM ${lab.registry.host}/base/busybox:1\nCOPY f /srv/f\nRUN echo built > /built && mkdir -p /var/x && touch /var/x/y\nWORKDIR /app\n`,
        f: 'content\n',
      });
      const digests: string[] = [];
      for (const n of [1, 2]) {
        const o = lab.options(ctxDir, `${lab.registry.host}/team/repro:${n}`);
        o.reproducible = true;
        o.push = false;
        o.ociLayoutPath = path.join(lab.tmp, `repro-${n}`);
        digests.push((await build(o, silentLogger)).digest);
        if (n === 1) await new Promise((r) => setTimeout(r, 1100)); // a second passes: times would differ
      }
      expect(digests[1]).toBe(digests[0]);
      const o = lab.options(ctxDir, `${lab.registry.host}/team/repro:3`);
      o.push = false;
      o.sourceDateEpoch = 1_700_000_000;
      const third = await build(o, silentLogger);
      expect(third.digest).not.toBe(digests[0]);
    });

    test('overlay and walk snapshots give the same image, digest for digest', async () => {
      const ctxDir = await lab.context({
        Dockerfile: [
          `FROM ${lab.registry.host}/base/busybox:1`,
          'COPY f /srv/f',
          'RUN echo one > /srv/one && rm -rf /etc/group- /tmp && mkdir -p /var/lib/x && ln -s /srv/one /srv/link',
          'RUN rm -rf /var/lib/x && mkdir /var/lib/x && touch /var/lib/x/new && chmod 4755 /srv/one && ln /srv/one /srv/hard',
          'WORKDIR /app',
          // (Not a write to a hardlinked file: overlayfs copy-up splits the link, as under BuildKit's
          // overlay snapshotter, while a walk over a plain directory keeps it.)
          'RUN echo two >> /srv/f && rm /srv/link',
        ].join('\n'),
        f: 'content\n',
      });
      const digests: Record<string, string> = {};
      for (const mode of ['overlay', 'walk'] as const) {
        const o = lab.options(ctxDir, `${lab.registry.host}/team/snap:${mode}`);
        o.reproducible = true;
        o.push = false;
        o.snapshotMode = mode;
        o.ociLayoutPath = path.join(lab.tmp, `snap-${mode}`);
        digests[mode] = (await build(o, silentLogger)).digest;
      }
      expect(digests.walk).toBe(digests.overlay);
    });

    test('--compression zstd: the layers the build makes are zstd, the base stays gzip, the image is valid', async () => {
      const ctxDir = await lab.context({
        Dockerfile: `FROM ${lab.registry.host}/base/busybox:1\nCOPY f /srv/f\nRUN echo built > /built\n`,
        f: 'content\n'.repeat(1000),
      });
      const layerTypes = async (dest: string) => {
        const v = await validateImage(clientFetcher(lab.client), parseReference(dest));
        return (v.layers ?? []).map((l) => l.mediaType);
      };
      const zstd = lab.options(ctxDir, `${lab.registry.host}/team/zstd:1`);
      zstd.compression = 'zstd';
      zstd.compressionLevel = 19;
      await build(zstd, silentLogger);
      expect(await layerTypes(zstd.destinations[0]!)).toEqual([
        'application/vnd.oci.image.layer.v1.tar+gzip',
        'application/vnd.oci.image.layer.v1.tar+zstd',
        'application/vnd.oci.image.layer.v1.tar+zstd',
      ]);
      const bundle = path.join(lab.tmp, 'zstd-bundle');
      const oci = path.join(lab.tmp, 'zstd-oci');
      zstd.push = false;
      zstd.ociLayoutPath = oci;
      await build(zstd, silentLogger);
      // umoci 0.4.7 reads no zstd: unpack the layers with GNU tar and the zstd program.
      const blob = (d: string) => path.join(oci, 'blobs', 'sha256', d.slice('sha256:'.length));
      const index = JSON.parse(await fs.readFile(path.join(oci, 'index.json'), 'utf8'));
      const manifest = JSON.parse(await fs.readFile(blob(index.manifests[0].digest), 'utf8'));
      await fs.mkdir(bundle);
      for (const l of manifest.layers as { mediaType: string; digest: string }[]) {
        const z = l.mediaType.endsWith('zstd') ? '--zstd' : '--gzip';
        await run('tar', ['-x', z, '-f', blob(l.digest), '-C', bundle]);
      }
      expect(await fs.readFile(path.join(bundle, 'built'), 'utf8')).toBe('built\n');
      expect(await fs.readFile(path.join(bundle, 'srv/f'), 'utf8')).toBe('content\n'.repeat(1000));

      // gzip at level 1 and at the default: the same files, different blobs.
      const sizes: number[] = [];
      for (const level of [1, undefined]) {
        const o = lab.options(ctxDir, `${lab.registry.host}/team/gzip:${level ?? 'default'}`);
        o.reproducible = true;
        o.compressionLevel = level;
        const r = await build(o, silentLogger);
        const v = await validateImage(clientFetcher(lab.client), parseReference(o.destinations[0]!));
        expect(v.digest).toBe(r.digest);
        sizes.push(v.layers?.[1]?.size ?? 0);
      }
      expect(sizes[0]).toBeGreaterThan(sizes[1]!);
    });

    test('a Dockerfile error fails before any pull', async () => {
      const ctxDir = await lab.context({
        Dockerfile: `FROM ${lab.registry.host}/base/never:1\nRUN true\nFROB x\n`,
      });
      const before = lab.registry.requests().length;
      await expect(build(lab.options(ctxDir, `${lab.registry.host}/team/x:1`), silentLogger)).rejects.toThrow(
        /Dockerfile:3: unknown instruction/i,
      );
      expect(lab.registry.requests().length).toBe(before);
    });

    test("a base image's ONBUILD COPY --from names a stage of this Dockerfile: the stage is planned and built first", async () => {
      // The base: busybox with ONBUILD triggers in its config.
      const baseCtx = await lab.context({
        Dockerfile: [
          `FROM ${lab.registry.host}/base/busybox:1`,
          'ONBUILD COPY --from=assets /asset.txt /from-assets.txt',
          'ONBUILD RUN cat /from-assets.txt > /seen',
        ].join('\n'),
      });
      const base = `${lab.registry.host}/base/onbuild:1`;
      await build(lab.options(baseCtx, base), silentLogger);

      // `assets` is defined before the FROM of the base, and nothing else in this Dockerfile needs it.
      const ctxDir = await lab.context({
        Dockerfile: ['FROM scratch AS assets', 'COPY asset.txt /', `FROM ${base}`, 'RUN echo done'].join(
          '\n',
        ),
        'asset.txt': 'from the assets stage\n',
      });
      const dest = `${lab.registry.host}/team/onbuild:1`;
      const out = path.join(lab.tmp, 'onbuild-oci');
      const o = lab.options(ctxDir, dest);
      o.ociLayoutPath = out;
      const result = await build(o, silentLogger);
      expect(result.steps.map((s) => s.instruction)).toEqual(
        expect.arrayContaining([
          'COPY --from=assets /asset.txt /from-assets.txt',
          'RUN cat /from-assets.txt > /seen',
        ]),
      );
      const unpacked = path.join(lab.tmp, 'onbuild-unpacked');
      await run('umoci', ['unpack', '--image', `${out}:1`, unpacked]);
      expect(await fs.readFile(path.join(unpacked, 'rootfs/seen'), 'utf8')).toBe('from the assets stage\n');
      // The triggers ran; the image keeps none of the base's.
      const index = JSON.parse(await fs.readFile(path.join(out, 'index.json'), 'utf8'));
      const manifest = JSON.parse(
        await fs.readFile(path.join(out, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'),
      );
      const config = JSON.parse(
        await fs.readFile(path.join(out, 'blobs/sha256', manifest.config.digest.slice(7)), 'utf8'),
      );
      expect(config.config.OnBuild ?? null).toBeNull();
    });
  },
);
