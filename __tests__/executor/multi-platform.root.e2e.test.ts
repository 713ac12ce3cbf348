/**
 * Multi-platform builds as root, with RUN for arm64 emulated by QEMU through
 * binfmt_misc: a busybox index (amd64 + arm64, made offline from Debian's
 * packages) in the lab registry, two-platform builds pushed as an OCI index
 * and checked with skopeo (inspect --raw, copy --override-arch) and umoci,
 * the cross-compile pattern (a FROM --platform=$BUILDPLATFORM stage built
 * once), the predefined platform ARGs, and the OCI layout of an index.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import { readOciLayout } from '../../src/image/oci-layout.js';
import { parseReference } from '../../src/image/reference.js';
import { silentLogger } from '../../src/log.js';
import { RegistryClient } from '../../src/registry/client.js';
import { MULTIARCH_FIXTURE_BINARIES, pushMultiArchBusybox } from '../lab/multiarch-fixture.js';
import { unpackPlatform } from '../lab/platform-images.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { clientFetcher, validateImage } from '../lab/validate-image.js';

const run = promisify(execFile);

describeWith(
  {
    root: true,
    binaries: [...MULTIARCH_FIXTURE_BINARIES, 'docker-registry', 'skopeo', 'umoci', 'unshare', 'setpriv'],
    emulate: ['linux/arm64'],
  },
  'multi-platform builds (arm64 RUN under QEMU)',
  () => {
    let registry: TestRegistry;
    let client: RegistryClient;
    let tmp: string;
    let base: string;

    beforeAll(async () => {
      registry = await startRegistry();
      client = new RegistryClient({ insecure: [registry.host] });
      base = `${registry.host}/base/busybox:multi`;
      await pushMultiArchBusybox(client, [parseReference(base)]);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-multi-'));
    });

    afterAll(async () => {
      await client?.close();
      await registry?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    async function context(files: Record<string, string>): Promise<string> {
      const dir = await fs.mkdtemp(path.join(tmp, 'ctx-'));
      for (const [name, text] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await fs.writeFile(path.join(dir, name), text);
      }
      return dir;
    }

    function options(ctxDir: string, dest: string, platforms: string[]) {
      const o = defaultBuildOptions(ctxDir, path.join(ctxDir, 'Dockerfile'));
      o.destinations = [dest];
      o.insecureRegistries = [registry.host];
      o.platforms = platforms;
      o.reproducible = true;
      return o;
    }

    /** The image of `arch` behind `ref`, unpacked with skopeo + umoci; its rootfs. */
    const unpack = async (ref: string, arch: string) =>
      unpackPlatform(ref, arch, await fs.mkdtemp(path.join(tmp, `unpack-${arch}-`)));

    test('two platforms: an index of both images, the arm64 RUN emulated (uname -m = aarch64)', async () => {
      const ctxDir = await context({
        Dockerfile: [
          `FROM ${base}`,
          'ARG TARGETPLATFORM',
          'RUN uname -m > /arch && echo "$TARGETPLATFORM" > /target',
          'COPY note.txt /note.txt',
          'CMD ["cat", "/arch"]',
        ].join('\n'),
        'note.txt': 'same everywhere\n',
      });
      const dest = `${registry.host}/team/multi:v1`;
      const o = options(ctxDir, dest, ['linux/amd64', 'linux/arm64']);
      o.ociLayoutPath = path.join(tmp, 'layout');
      const result = await build(o, silentLogger);
      expect(result.references).toEqual([dest]);
      expect(result.configDigest).toBeUndefined();
      expect(result.platforms?.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);

      const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${dest}`]);
      const index = JSON.parse(stdout);
      expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expect(index.manifests.map((m: { platform: unknown }) => m.platform)).toEqual([
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux' },
      ]);
      expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual(
        result.platforms!.map((p) => p.digest),
      );
      const { stdout: head } = await run('skopeo', [
        'inspect',
        '--tls-verify=false',
        '--format',
        '{{.Digest}}',
        `docker://${dest}`,
      ]);
      expect(head.trim()).toBe(result.digest);

      for (const [i, p] of result.platforms!.entries()) {
        const v = await validateImage(
          clientFetcher(client),
          parseReference(`${registry.host}/team/multi@${p.digest}`),
        );
        expect(v.digest).toBe(index.manifests[i].digest);
      }
      const arm = await unpack(dest, 'arm64');
      expect(await fs.readFile(`${arm}/arch`, 'utf8')).toBe('aarch64\n');
      expect(await fs.readFile(`${arm}/target`, 'utf8')).toBe('linux/arm64\n');
      expect(await fs.readFile(`${arm}/note.txt`, 'utf8')).toBe('same everywhere\n');
      const amd = await unpack(dest, 'amd64');
      expect(await fs.readFile(`${amd}/arch`, 'utf8')).toBe('x86_64\n');
      expect(await fs.readFile(`${amd}/target`, 'utf8')).toBe('linux/amd64\n');
      const { stdout: cfg } = await run('skopeo', [
        'inspect',
        '--config',
        '--tls-verify=false',
        '--override-arch',
        'arm64',
        `docker://${dest}`,
      ]);
      expect(JSON.parse(cfg).architecture).toBe('arm64');

      // The OCI layout holds the index under the tag; each platform reads back.
      const layoutIndex = JSON.parse(await fs.readFile(path.join(tmp, 'layout/index.json'), 'utf8'));
      expect(layoutIndex.manifests).toEqual([
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: result.digest,
          size: expect.any(Number),
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        },
      ]);
      const fromLayout = await readOciLayout(path.join(tmp, 'layout'), {
        tag: 'v1',
        platform: { os: 'linux', architecture: 'arm64' },
      });
      expect(fromLayout.digest()).toBe(result.platforms![1]!.digest);
    });

    test('skip unchanged: an index of the same images apart from an ignored label is not pushed; another file is', async () => {
      const ctxDir = await context({ Dockerfile: `FROM ${base}\nCOPY a /a\n`, a: 'one\n' });
      const dest = `${registry.host}/team/same:v1`;
      const once = options(ctxDir, dest, ['linux/amd64', 'linux/arm64']);
      once.labels = new Map([['org.opencontainers.image.revision', 'a']]);
      const first = await build(once, silentLogger);
      expect(first.refreshed).toBe(true);

      // Only a label the check ignores differs: every image and the index get another digest.
      const again = options(ctxDir, dest, ['linux/amd64', 'linux/arm64']);
      again.labels = new Map([['org.opencontainers.image.revision', 'b']]);
      again.skipUnchanged = { ignoreLabels: ['org.opencontainers.image.revision'] };
      const second = await build(again, silentLogger);
      expect(second.digest).not.toBe(first.digest);
      expect(second.refreshed).toBe(false);
      expect(second.unchanged?.digest).toBe(first.digest);
      expect((await client.headManifest(parseReference(dest)))?.digest).toBe(first.digest);

      await fs.writeFile(path.join(ctxDir, 'a'), 'two\n');
      const third = await build(again, silentLogger);
      expect(third.refreshed).toBe(true);
      expect((await client.headManifest(parseReference(dest)))?.digest).toBe(third.digest);
    });

    test('one platform of another architecture keeps the single manifest', async () => {
      const ctxDir = await context({ Dockerfile: `FROM ${base}\nRUN uname -m > /arch\n` });
      const dest = `${registry.host}/team/arm-only:v1`;
      const result = await build(options(ctxDir, dest, ['linux/arm64']), silentLogger);
      expect(result.platforms).toBeUndefined();
      expect(result.configDigest).toMatch(/^sha256:/);
      const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${dest}`]);
      expect(JSON.parse(stdout).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      const arm = await unpack(dest, 'arm64');
      expect(await fs.readFile(`${arm}/arch`, 'utf8')).toBe('aarch64\n');
    });

    test('the cross-compile pattern: the $BUILDPLATFORM stage runs once, natively, for both targets', async () => {
      const ctxDir = await context({
        Dockerfile: [
          `FROM --platform=$BUILDPLATFORM ${base} AS build`,
          'ARG BUILDPLATFORM',
          'RUN mkdir /out && for a in amd64 arm64; do echo "$a built on $(uname -m) ($BUILDPLATFORM)" > /out/app-$a; done',
          `FROM ${base}`,
          'ARG TARGETARCH',
          'ARG TARGETPLATFORM TARGETOS TARGETVARIANT BUILDPLATFORM BUILDOS BUILDARCH',
          'COPY --from=build /out/app-$TARGETARCH /app',
          'RUN echo "$TARGETPLATFORM|$TARGETOS|$TARGETARCH|$TARGETVARIANT|$BUILDPLATFORM|$BUILDOS|$BUILDARCH" > /args',
        ].join('\n'),
      });
      const dest = `${registry.host}/team/cross:v1`;
      const result = await build(options(ctxDir, dest, ['linux/amd64', 'linux/arm64']), silentLogger);
      const buildSteps = result.steps.filter((s) => s.stage === 'build');
      expect(buildSteps.map((s) => s.instruction)).toEqual([
        expect.stringMatching(/^FROM /),
        'ARG BUILDPLATFORM',
        expect.stringMatching(/^RUN mkdir \/out/),
      ]);
      expect(buildSteps.every((s) => s.platform === 'linux/amd64')).toBe(true);
      expect(result.steps.filter((s) => s.instruction.startsWith('RUN echo')).map((s) => s.platform)).toEqual(
        ['linux/amd64', 'linux/arm64'],
      );
      const arm = await unpack(dest, 'arm64');
      expect(await fs.readFile(`${arm}/app`, 'utf8')).toBe('arm64 built on x86_64 (linux/amd64)\n');
      expect(await fs.readFile(`${arm}/args`, 'utf8')).toBe(
        'linux/arm64|linux|arm64||linux/amd64|linux|amd64\n',
      );
      const amd = await unpack(dest, 'amd64');
      expect(await fs.readFile(`${amd}/app`, 'utf8')).toBe('amd64 built on x86_64 (linux/amd64)\n');
      expect(await fs.readFile(`${amd}/args`, 'utf8')).toBe(
        'linux/amd64|linux|amd64||linux/amd64|linux|amd64\n',
      );
    });

    test('with the snapshot store and RUN --mount (cache, secret, bind from a stage): the arm64 RUN emulated too', async () => {
      const ctxDir = await context({
        Dockerfile: [
          `FROM --platform=$BUILDPLATFORM ${base} AS tools`,
          'RUN echo tool > /tool',
          `FROM ${base}`,
          'RUN --mount=type=cache,target=/cache --mount=type=secret,id=token --mount=type=bind,from=tools,source=/tool,target=/mnt/tool \\',
          '    echo "$(uname -m) $(cat /run/secrets/token) $(cat /mnt/tool)" > /out && uname -m >> /cache/seen && cat /cache/seen > /cache-seen',
        ].join('\n'),
      });
      const dest = `${registry.host}/team/mounted:v1`;
      const o = options(ctxDir, dest, ['linux/amd64', 'linux/arm64']);
      o.store = { dir: path.join(tmp, 'store'), maxBytes: 1 << 30 };
      o.secrets = [{ id: 'token', value: 's3cret' }];
      const result = await build(o, silentLogger);
      expect(result.platforms).toHaveLength(2);
      const arm = await unpack(dest, 'arm64');
      expect(await fs.readFile(`${arm}/out`, 'utf8')).toBe('aarch64 s3cret tool\n');
      const amd = await unpack(dest, 'amd64');
      expect(await fs.readFile(`${amd}/out`, 'utf8')).toBe('x86_64 s3cret tool\n');
      // One cache mount for both platforms (BuildKit's: the id is the target), nothing of it in the images.
      const seen = [
        await fs.readFile(`${arm}/cache-seen`, 'utf8'),
        await fs.readFile(`${amd}/cache-seen`, 'utf8'),
      ];
      expect(
        seen
          .sort((a, b) => a.length - b.length)[1]!
          .split('\n')
          .filter(Boolean)
          .sort(),
      ).toEqual(['aarch64', 'x86_64']);
      for (const root of [arm, amd]) {
        await expect(fs.readdir(`${root}/cache`).catch(() => [])).resolves.toEqual([]);
        await expect(fs.stat(`${root}/run/secrets/token`)).rejects.toThrow();
      }
    });

    test('a stage FROM a shared stage gets its own target ARGs', async () => {
      const ctxDir = await context({
        Dockerfile: [
          `FROM --platform=$BUILDPLATFORM ${base} AS tools`,
          'RUN echo tools > /tools',
          'FROM tools AS per-target',
          'ARG TARGETARCH',
          'RUN echo "$TARGETARCH" > /for',
          `FROM ${base}`,
          'COPY --from=per-target /for /tools /',
        ].join('\n'),
      });
      const dest = `${registry.host}/team/rebased:v1`;
      const result = await build(options(ctxDir, dest, ['linux/amd64', 'linux/arm64']), silentLogger);
      expect(result.steps.filter((s) => s.stage === 'tools' && s.instruction.startsWith('RUN'))).toHaveLength(
        1,
      );
      expect(
        result.steps.filter((s) => s.stage === 'per-target' && s.instruction.startsWith('RUN')),
      ).toHaveLength(2);
      expect(await fs.readFile(`${await unpack(dest, 'arm64')}/for`, 'utf8')).toBe('arm64\n');
      expect(await fs.readFile(`${await unpack(dest, 'amd64')}/for`, 'utf8')).toBe('amd64\n');
    });
  },
);
