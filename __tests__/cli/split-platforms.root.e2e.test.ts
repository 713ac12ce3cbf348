/**
 * A build spread over machines, as the CLI does it: two processes (two
 * "runners") each build one platform with --push-by-digest, then
 * `kiln index create` merges their digests. With --reproducible the index
 * has the digest of the one-process two-platform build. Merging into
 * another repository mounts the blobs instead of uploading them.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { kilnProcess } from '../lab/kiln-process.js';
import { MULTIARCH_FIXTURE_BINARIES, pushMultiArchBusybox } from '../lab/multiarch-fixture.js';
import { buildSplit, cliBuild } from '../lab/platform-images.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';

const execFileP = promisify(execFile);
const kiln = kilnProcess;

describeWith(
  {
    root: true,
    binaries: [...MULTIARCH_FIXTURE_BINARIES, 'docker-registry', 'skopeo', 'unshare', 'setpriv'],
    emulate: ['linux/arm64'],
  },
  'push-by-digest on two runners, then kiln index create',
  () => {
    let registry: TestRegistry;
    let client: RegistryClient;
    let tmp: string;
    let ctx: string;

    beforeAll(async () => {
      registry = await startRegistry();
      client = new RegistryClient({ insecure: [registry.host] });
      await pushMultiArchBusybox(client, [parseReference(`${registry.host}/base/busybox:multi`)]);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-split-'));
      ctx = path.join(tmp, 'ctx');
      await fs.mkdir(ctx);
      await fs.writeFile(
        path.join(ctx, 'Dockerfile'),
        [
          `FROM --platform=$BUILDPLATFORM ${registry.host}/base/busybox:multi AS build`,
          'RUN mkdir /out && echo "made on $(uname -m)" > /out/made',
          `FROM ${registry.host}/base/busybox:multi`,
          'COPY --from=build /out/made /made',
          'RUN uname -m > /arch',
        ].join('\n'),
      );
    });

    afterAll(async () => {
      await client?.close();
      await registry?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    let parts: string[] = [];

    test('two --push-by-digest runners merged by kiln index create = the one-process build', async () => {
      const build = cliBuild(ctx, registry.host, tmp);
      const repo = `${registry.host}/team/app`;
      const oneProcess = (
        await kiln([...build, '--platform', 'linux/amd64,linux/arm64', '--destination', `${repo}:one`])
      ).trim();
      expect(oneProcess).toMatch(/^sha256:[a-f0-9]{64}$/);
      const split = await buildSplit(build, registry.host, repo, ['linux/amd64', 'linux/arm64'], 'merged');
      parts = split.parts;
      expect(split.merged).toBe(oneProcess);
      // The by-digest pushes added no tag.
      const tags = await execFileP('skopeo', ['list-tags', '--tls-verify=false', `docker://${repo}`]);
      expect(JSON.parse(tags.stdout).Tags.sort()).toEqual(['merged', 'one']);
      const raw = await execFileP('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${repo}:merged`,
      ]);
      expect(JSON.parse(raw.stdout).manifests.map((m: { digest: string }) => m.digest)).toEqual(parts);
    });

    test('--push-by-digest writes --digest-file and prints the digest', async () => {
      const file = path.join(tmp, 'digest-arm64');
      const out = (
        await kiln([
          ...cliBuild(ctx, registry.host, tmp),
          '--platform',
          'linux/arm64',
          '--push-by-digest',
          '--destination',
          `${registry.host}/team/other:ignored-tag`,
          '--digest-file',
          file,
        ])
      ).trim();
      expect(out).toBe(parts[1]);
      expect(await fs.readFile(file, 'utf8')).toBe(out);
      expect(await client.headManifest(parseReference(`${registry.host}/team/other@${out}`))).toBeDefined();
      expect(
        await client.headManifest(parseReference(`${registry.host}/team/other:ignored-tag`)),
      ).toBeUndefined();
    });

    // Reads team/app:one, which the test above pushed.
    test('an index as the source, into another repository: blobs mounted, same digest', async () => {
      const one = await client.headManifest(parseReference(`${registry.host}/team/app:one`));
      expect(one).toBeDefined();
      const before = registry.requests().length;
      const merged = (
        await kiln([
          'index',
          'create',
          '--insecure-registry',
          registry.host,
          '--tag',
          `${registry.host}/release/app:1`,
          '--tag',
          `${registry.host}/release/app:latest`,
          `${registry.host}/team/app:one`,
        ])
      ).trim();
      expect(merged).toBe(one!.digest);
      const blobPosts = registry
        .requests()
        .slice(before)
        .filter((r) => r.method === 'POST' && r.path.startsWith('/v2/release/app/blobs/uploads/'));
      expect(blobPosts.length).toBeGreaterThan(0);
      expect(blobPosts.every((r) => r.path.includes('mount=') && r.status === 201)).toBe(true);
      const tags = await execFileP('skopeo', [
        'list-tags',
        '--tls-verify=false',
        `docker://${registry.host}/release/app`,
      ]);
      expect(JSON.parse(tags.stdout).Tags.sort()).toEqual(['1', 'latest']);
      // Index last: both tags name the index, and each platform's manifest is there by digest.
      const raw = JSON.parse(
        (
          await execFileP('skopeo', [
            'inspect',
            '--raw',
            '--tls-verify=false',
            `docker://${registry.host}/release/app:1`,
          ])
        ).stdout,
      );
      for (const m of raw.manifests as { digest: string }[]) {
        expect(
          await client.headManifest(parseReference(`${registry.host}/release/app@${m.digest}`)),
        ).toBeDefined();
      }
    });

    test('two images of one platform cannot be merged; --dry-run prints the index, pushes nothing', async () => {
      const refs = [`${registry.host}/team/app:one`, `${registry.host}/base/busybox:multi`];
      await expect(
        kiln(['index', 'create', '--insecure-registry', registry.host, '--dry-run', ...refs]),
      ).rejects.toThrow(/two manifests for platform linux\/amd64/);
      const before = registry.requests().filter((r) => r.method === 'PUT').length;
      const printed = await kiln([
        'index',
        'create',
        '--insecure-registry',
        registry.host,
        '--dry-run',
        `${registry.host}/base/busybox:multi`,
      ]);
      const base = await client.getManifest(parseReference(`${registry.host}/base/busybox:multi`));
      expect(printed).toBe(`${base.bytes.toString('utf8')}\n`);
      expect(registry.requests().filter((r) => r.method === 'PUT').length).toBe(before);
    });
  },
);
