/**
 * The bundled action with RUN --mount, as root (RUN in process): `secrets`
 * reach a RUN as a file and a variable and are masked before anything
 * prints them (and Kiln's own log shows ****); `cache_mounts: true` saves the
 * RUN cache mounts to the Actions cache (the lab's service emulator) and a
 * later job on a fresh runner restores them; a missing required secret fails
 * the step on its Dockerfile line.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials.js';
import { BUSYBOX_FIXTURE_BINARIES, pushBusyboxImage } from '../lab/busybox-fixture.js';
import { azuriteBlobServer, type GhaCacheService, startGhaCacheService } from '../lab/gha-cache-service.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { formatRun, installAction, makeJob, NODE24, type RunResult, runAction } from './action-runner.js';

const SECRET = 'act-s3cret-9d0e1f2a3b4c';
const azurite = azuriteBlobServer();

describeWith(
  { root: true, binaries: [...BUSYBOX_FIXTURE_BINARIES, 'docker-registry', 'openssl', 'unshare', 'setpriv'] },
  'the bundled action: secrets and cache_mounts',
  () => {
    let registry: TestRegistry;
    let client: RegistryClient;
    let service: GhaCacheService;
    let tmp: string;
    let script: string;
    let jobs = 0; // (counted for the reader: each run() is one job)

    beforeAll(async () => {
      if ('missing' in azurite) throw new Error(azurite.missing);
      registry = await startRegistry({ auth: 'token' });
      const creds = { kind: 'basic' as const, username: registry.username!, password: registry.password! };
      client = new RegistryClient({ credentials: staticCredentials({ [registry.host]: creds }) });
      await pushBusyboxImage(client, [parseReference(`${registry.host}/base/busybox:1`)]);
      service = await startGhaCacheService();
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-action-mounts-'));
      script = await installAction(path.join(tmp, '_actions/kiln/v1'));
    });

    afterAll(async () => {
      await client?.close();
      await registry?.stop();
      await service?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    /** A job on a fresh runner: the same paths every time (as on GitHub's runners), nothing left from before. */
    async function run(
      sha: string,
      dockerfile: string,
      inputs: Record<string, string>,
    ): Promise<{ r: RunResult; layout: string }> {
      jobs++;
      await fs.rm(path.join(tmp, 'job'), { recursive: true, force: true });
      const j = await makeJob(path.join(tmp, 'job'));
      await fs.writeFile(path.join(j.workspace, 'Dockerfile'), dockerfile);
      const layout = path.join(j.dir, 'oci');
      const r = await runAction({
        node: NODE24,
        script,
        job: j,
        inputs: {
          registry: registry.host,
          image: 'team/mounts',
          username: registry.username!,
          password: registry.password!,
          push: 'false',
          extra_args: `--oci-layout-path ${layout}`,
          ...inputs,
        },
        github: { GITHUB_SHA: sha, GITHUB_RUN_ID: String(4000 + jobs), ...service.env },
      });
      return { r, layout };
    }

    async function layerText(layout: string): Promise<string> {
      const dir = path.join(layout, 'blobs/sha256');
      const parts: string[] = [];
      for (const n of await fs.readdir(dir)) {
        const b = await fs.readFile(path.join(dir, n));
        parts.push((b[0] === 0x1f && b[1] === 0x8b ? zlib.gunzipSync(b) : b).toString('latin1'));
      }
      return parts.join('\n');
    }

    const dockerfile = () => `FROM ${registry.host}/base/busybox:1
ARG N
RUN --mount=type=secret,id=token,env=TOKEN --mount=type=secret,id=token,target=/t --mount=type=cache,target=/var/cache/app \\
    echo "job $N" >> /var/cache/app/log && cp /var/cache/app/log /seen && echo "token is $TOKEN, file has $(wc -c < /t) bytes"
`;

    test('secrets reach the RUN and are masked; cache mounts travel between jobs through the Actions cache', async () => {
      const sha1 = '1111111111111111111111111111111111111111';
      const first = await run(sha1, dockerfile(), {
        secrets: `token=${SECRET}`,
        cache_mounts: 'true',
        build_args: 'N=1',
      });
      if (first.r.code !== 0) throw new Error(`job 1 failed:\n${formatRun(first.r)}`);
      const out = first.r.stdout;
      // Registered with the runner before anything else could print it; Kiln itself prints ****.
      const lines = out.split('\n');
      const maskAt = lines.indexOf(`::add-mask::${SECRET}`);
      expect(maskAt).toBeGreaterThanOrEqual(0);
      expect(lines.slice(0, maskAt).some((l) => !l.startsWith('::add-mask::'))).toBe(false);
      expect(lines.filter((l) => l.includes(SECRET) && !l.startsWith('::add-mask::'))).toEqual([]);
      expect(out).toContain(`token is ****, file has ${SECRET.length} bytes`);
      expect((await layerText(first.layout)).includes(SECRET)).toBe(false);
      expect(await layerText(first.layout)).toContain('job 1\n');
      const saved = service.entries().find((e) => e.key.endsWith(sha1));
      expect(saved).toEqual(expect.objectContaining({ finalized: true }));

      // A fresh runner, a new commit: restored by prefix, the cache has job 1's line.
      const sha2 = '2222222222222222222222222222222222222222';
      const second = await run(sha2, dockerfile(), {
        secrets: `token=${SECRET}`,
        cache_mounts: 'true',
        build_args: 'N=2',
      });
      if (second.r.code !== 0) throw new Error(`job 2 failed:\n${formatRun(second.r)}`);
      expect(second.r.stdout).toContain('cache mounts restored from the GitHub Actions cache');
      expect(await layerText(second.layout)).toContain('job 1\njob 2\n');
      expect(service.entries().some((e) => e.key.endsWith(sha2) && e.finalized)).toBe(true);

      // Without cache_mounts nothing is restored: the cache starts empty.
      const third = await run('3333333333333333333333333333333333333333', dockerfile(), {
        secrets: `token=${SECRET}`,
        build_args: 'N=3',
      });
      if (third.r.code !== 0) throw new Error(`job 3 failed:\n${formatRun(third.r)}`);
      const t3 = await layerText(third.layout);
      expect(t3).toContain('job 3\n');
      expect(t3).not.toContain('job 1\n');
    });

    test('a missing required secret fails the step on its line, naming the id', async () => {
      const { r } = await run(
        '4444444444444444444444444444444444444444',
        `FROM ${registry.host}/base/busybox:1\nRUN --mount=type=secret,id=npmrc,required=true true\n`,
        { 'secret-envs': 'other=HOME' },
      );
      expect(r.code).not.toBe(0);
      expect(r.stdout).toMatch(
        /::error [^:]*file=Dockerfile,line=2::.*secret "npmrc" is required but was not given/,
      );
    });
  },
);
