/**
 * The bundled action on a token-auth registry (ghcr.io's flow), as root:
 * the GitHub matrix of the README — one job per platform with
 * push_by_digest, then a merge job with merge_digests — gives the index a
 * single job with `platforms: linux/amd64,linux/arm64` gives (arm64 RUN
 * under QEMU); outputs and the job summary list every platform.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials.js';
import { MULTIARCH_FIXTURE_BINARIES, pushMultiArchBusybox } from '../lab/multiarch-fixture.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { formatRun, installAction, makeJob, NODE24, type RunResult, runAction } from './action-runner.js';

describeWith(
  {
    root: true,
    binaries: [...MULTIARCH_FIXTURE_BINARIES, 'docker-registry', 'openssl', 'skopeo', 'unshare'],
    emulate: ['linux/arm64'],
  },
  'the action: platforms, push_by_digest, merge_digests',
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
      await pushMultiArchBusybox(client, [parseReference(`${registry.host}/base/busybox:multi`)]);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-action-multi-'));
      script = await installAction(path.join(tmp, '_actions/kiln/v1'));
    });

    afterAll(async () => {
      await client?.close();
      await registry?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    async function run(inputs: Record<string, string>): Promise<RunResult> {
      const j = await makeJob(path.join(tmp, `job-${++jobs}`));
      await fs.mkdir(path.join(j.workspace, 'app'), { recursive: true });
      await fs.writeFile(
        path.join(j.workspace, 'app/Dockerfile'),
        [
          `FROM --platform=$BUILDPLATFORM ${registry.host}/base/busybox:multi AS build`,
          'RUN echo "made on $(uname -m)" > /made',
          `FROM ${registry.host}/base/busybox:multi`,
          'COPY --from=build /made /made',
          'RUN uname -m > /arch',
        ].join('\n'),
      );
      const r = await runAction({
        node: NODE24,
        script,
        job: j,
        inputs: {
          registry: registry.host,
          image: 'team/app',
          username: registry.username!,
          password: registry.password!,
          path: 'app',
          ...inputs,
        },
      });
      if (r.code !== 0) throw new Error(`the action failed:\n${formatRun(r)}`);
      return r;
    }

    test('one job per platform by digest, merged, equals the one-job multi-platform build', async () => {
      const parts: string[] = [];
      for (const platform of ['linux/amd64', 'linux/arm64']) {
        const r = await run({ platforms: platform, push_by_digest: 'true' });
        const digest = r.outputs.get('digest')!;
        expect(r.outputs.get('image')).toBe(`${registry.host}/team/app@${digest}`);
        expect(r.outputs.get('image-tag-digest')).toBe(`${registry.host}/team/app@${digest}`);
        expect(r.summary).toContain('built and pushed by digest (untagged)');
        parts.push(digest);
      }
      // By digest only: every manifest PUT so far names a digest, none a tag.
      const puts = registry
        .requests()
        .filter((q) => q.method === 'PUT' && q.path.startsWith('/v2/team/app/manifests/'));
      expect(puts.length).toBeGreaterThanOrEqual(2);
      expect(puts.every((q) => q.path.includes('/manifests/sha256:'))).toBe(true);

      const merged = await run({ merge_digests: parts.join('\n'), tag: 'merged' });
      const index = merged.outputs.get('digest')!;
      expect(index).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(JSON.parse(merged.outputs.get('platforms')!)).toEqual({
        'linux/amd64': parts[0],
        'linux/arm64': parts[1],
      });
      expect(merged.summary).toContain('## Kiln: index of 2 platforms merged and pushed');
      expect(merged.summary).toContain(`| \`linux/arm64\` | \`${parts[1]}\` |`);
      const head = await client.headManifest(parseReference(`${registry.host}/team/app:merged`));
      expect(head?.digest).toBe(index);

      const one = await run({ platforms: 'linux/amd64,linux/arm64', setup_qemu: 'true', tag: 'one' });
      expect(one.outputs.get('digest')).toBe(index);
      expect(one.stdout).toContain('setup_qemu: every platform runs natively or has its emulator registered');
      expect(one.summary).toContain('## Kiln: index of 2 platforms built and pushed');
      expect(one.summary).toContain('| Platform | Stage | Step |');
      expect(
        JSON.parse(one.outputs.get('metadata')!).platforms.map((p: { platform: string }) => p.platform),
      ).toEqual(['linux/amd64', 'linux/arm64']);
    });
  },
);
