/**
 * The registry client against the real registry (Debian's docker-registry),
 * open and with ghcr.io-style token auth: push, pull by tag and digest,
 * mounts, indexes, chunked uploads, credentials, errors.
 */

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { sha256 } from '../../src/image/digest.js';
import type { ImageIndex, Platform } from '../../src/image/manifest.js';
import { MediaType } from '../../src/image/media-types.js';
import { parseReference } from '../../src/image/reference.js';
import { type Logger, streamLogger } from '../../src/log.js';
import { RegistryClient } from '../../src/registry/client.js';
import {
  type Credential,
  dockerConfigCredentials,
  staticCredentials,
} from '../../src/registry/credentials.js';
import { RegistryError } from '../../src/registry/errors.js';
import { pullImage } from '../../src/registry/pull.js';
import { pushImage, pushIndex } from '../../src/registry/push.js';
import { imageOf, layerFromFiles, makeBusyboxImage, type TestImage } from '../lab/busybox-fixture.js';
import { startFaultProxy } from '../lab/fault-proxy.js';
import { readStream } from '../lab/fixtures.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { validateImage } from '../lab/validate-image.js';

function capture(): { logger: Logger; lines: string[]; secrets: string[] } {
  const lines: string[] = [];
  const secrets: string[] = [];
  const inner = streamLogger({ verbose: true, write: (l) => lines.push(l) });
  return {
    lines,
    secrets,
    logger: {
      ...inner,
      secret(v) {
        secrets.push(v);
        inner.secret(v);
      },
    },
  };
}

const fast = { baseDelayMs: 1, maxDelayMs: 5 };
const basic = (username: string, password: string): Credential => ({ kind: 'basic', username, password });

describeWith({ binaries: ['docker-registry', 'openssl', 'tar', 'busybox'] }, 'registry client e2e', () => {
  let work: string;
  let image: TestImage;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kiln-reg-e2e-'));
    const base = await makeBusyboxImage();
    const extra1 = await layerFromFiles(work, { 'app/': '', 'app/hello.txt': 'hello\n' });
    const extra2 = await layerFromFiles(work, {
      'data/blob.bin': createHash('sha512').update('seed').digest().toString('hex').repeat(5000),
    });
    image = imageOf([...base.layers, extra1, extra2], { config: { config: { Cmd: ['/app/run'] } } });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const flavour of ['open', 'token'] as const) {
    describe(`${flavour} registry`, () => {
      let reg: TestRegistry;
      let client: RegistryClient;
      const ref = (s: string) => parseReference(`${reg.host}/${s}`);

      beforeAll(async () => {
        reg = await startRegistry(flavour === 'token' ? { auth: 'token' } : {});
        client = new RegistryClient({
          credentials:
            flavour === 'token'
              ? staticCredentials({ [reg.host]: basic(reg.username!, reg.password!) })
              : undefined,
          retry: fast,
        });
      });
      afterAll(async () => {
        await client.close();
        await reg.stop();
      });

      test('push a multi-layer image under two tags; pull by tag and by digest; blobs byte-identical', async () => {
        const digest = await pushImage(client, [ref('lab/app:v1'), ref('lab/app:latest')], image);
        expect(digest).toBe(image.digest);
        await validateImage(client, ref('lab/app:v1'));

        const byTag = await pullImage(client, ref('lab/app:v1'));
        const byDigest = await pullImage(client, ref(`lab/app@${digest}`));
        for (const pulled of [byTag, byDigest]) {
          expect(pulled.digest).toBe(digest);
          expect(pulled.manifestBytes.equals(image.manifest)).toBe(true);
          expect(pulled.configBytes.equals(image.configBytes)).toBe(true);
          expect(pulled.layers.map((l) => [l.digest, l.diffId, l.size])).toEqual(
            image.layers.map((l) => [l.digest, l.diffId, l.size]),
          );
        }
        for (const [i, l] of byDigest.layers.entries()) {
          expect((await readStream(l.open())).equals(await readStream(image.layers[i]!.open()))).toBe(true);
          expect(sha256(await readStream(l.openUncompressed()))).toBe(image.layers[i]!.diffId);
        }
        expect((await client.headManifest(ref('lab/app:latest')))?.digest).toBe(digest);
        expect(await client.headManifest(ref('lab/app:nope'))).toBeUndefined();
      });

      test('a second repository mounts the blobs; a refused mount falls back to upload', async () => {
        await pushImage(client, [ref('lab/src:1')], image);
        const pulled = await pullImage(client, ref('lab/src:1'));
        expect(pulled.layers[0]!.source).toEqual({ registry: reg.host, repository: 'lab/src' });
        const outcomes: string[] = [];
        const before = reg.requests().length;
        await pushImage(
          client,
          [ref('lab/dst:1')],
          {
            manifest: pulled.manifestBytes,
            mediaType: pulled.mediaType,
            blobs: [pulled.configBlob, ...pulled.layers],
          },
          { onBlob: (_r, _b, o) => outcomes.push(o) },
        );
        expect(outcomes).toEqual(image.blobs.map(() => 'mounted'));
        const log = reg.requests().slice(before);
        expect(
          log.filter((e) => e.method === 'POST' && /mount=.*from=lab%2Fsrc/.test(e.path) && e.status === 201),
        ).toHaveLength(image.blobs.length);
        expect(log.filter((e) => e.method === 'PUT' && e.path.startsWith('/v2/lab/dst/blobs/'))).toHaveLength(
          0,
        );
        await validateImage(client, ref('lab/dst:1'));

        // A source repository that lacks the blob: the registry answers 202 and the upload continues there.
        const loner = await layerFromFiles(work, { 'only-here.txt': `${Date.now()}\n` });
        const ghost = { ...loner, source: { registry: reg.host, repository: 'lab/ghost' } };
        const img = imageOf([ghost]);
        const seen: string[] = [];
        const before2 = reg.requests().length;
        await pushImage(client, [ref('lab/dst2:1')], img, {
          onBlob: (_r, b, o) => seen.push(`${b.digest === loner.digest}:${o}`),
        });
        expect(seen).toContain('true:uploaded');
        const log2 = reg.requests().slice(before2);
        expect(
          log2.some((e) => e.method === 'POST' && /from=lab%2Fghost/.test(e.path) && e.status === 202),
        ).toBe(true);
        await validateImage(client, ref('lab/dst2:1'));
      });

      test('an OCI index with two platforms and an attestation resolves to the right child', async () => {
        const amd = imageOf(image.layers, { platform: { os: 'linux', architecture: 'amd64' } });
        const arm = imageOf(image.layers.slice(0, 1), {
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        });
        const att = imageOf([], { platform: { os: 'unknown', architecture: 'unknown' } });
        const desc = (i: TestImage, platform: Platform, annotations?: Record<string, string>) => ({
          mediaType: i.mediaType,
          digest: i.digest,
          size: i.manifest.length,
          platform,
          ...(annotations ? { annotations } : {}),
        });
        const index: ImageIndex = {
          schemaVersion: 2,
          mediaType: MediaType.OciIndex,
          manifests: [
            desc(amd, { os: 'linux', architecture: 'amd64' }),
            desc(arm, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
            desc(
              att,
              { os: 'unknown', architecture: 'unknown' },
              { 'vnd.docker.reference.type': 'attestation-manifest' },
            ),
          ],
        };
        const bytes = Buffer.from(JSON.stringify(index));
        const digest = await pushIndex(client, [ref('lab/multi:1')], {
          manifest: bytes,
          mediaType: MediaType.OciIndex,
          images: [amd, arm, att],
        });
        expect(digest).toBe(sha256(bytes));
        await validateImage(client, ref('lab/multi:1'));

        const a = await pullImage(client, ref('lab/multi:1'), {
          platform: { os: 'linux', architecture: 'arm64' },
        });
        expect(a.digest).toBe(arm.digest);
        expect(a.config.architecture).toBe('arm64');
        expect(a.index?.digest).toBe(digest);
        const b = await pullImage(client, ref(`lab/multi@${digest}`), {
          platform: { os: 'linux', architecture: 'amd64' },
        });
        expect(b.digest).toBe(amd.digest);
        expect(b.layers).toHaveLength(3);

        const e = await pullImage(client, ref('lab/multi:1'), {
          platform: { os: 'linux', architecture: 's390x' },
        }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(RegistryError);
        expect((e as RegistryError).failure).toBe('platform');
        expect((e as Error).message).toContain(
          'has no image for linux/s390x; it has: linux/amd64, linux/arm64',
        );
        expect((e as Error).message).not.toContain('unknown');

        const hooked = await pullImage(client, ref('lab/multi:1'), {
          platform: { os: 'linux', architecture: 'riscv64' },
          selectPlatform: (idx) => idx.manifests[1],
        });
        expect(hooked.digest).toBe(arm.digest);
      });

      test('chunked upload (PATCH with Content-Range) and a Docker schema 2 image', async () => {
        const chunked = new RegistryClient({
          credentials:
            flavour === 'token'
              ? staticCredentials({ [reg.host]: basic(reg.username!, reg.password!) })
              : undefined,
          chunkSize: 200 * 1024,
          retry: fast,
        });
        try {
          const docker = imageOf(image.layers, { format: 'docker' });
          const before = reg.requests().length;
          const digest = await pushImage(chunked, [ref('lab/chunked:1')], docker);
          const log = reg.requests().slice(before);
          const busyboxSize = image.layers[0]!.size;
          expect(log.filter((e) => e.method === 'PATCH').length).toBeGreaterThanOrEqual(
            Math.ceil(busyboxSize / (200 * 1024)),
          );
          const head = await chunked.headManifest(ref('lab/chunked:1'));
          expect(head).toEqual({ digest, mediaType: MediaType.DockerManifest, size: docker.manifest.length });
          const pulled = await pullImage(chunked, ref('lab/chunked:1'));
          expect(pulled.mediaType).toBe(MediaType.DockerManifest);
          await validateImage(chunked, ref('lab/chunked:1'));
        } finally {
          await chunked.close();
        }
      });

      test('a manifest naming a blob that was neither given nor is in the repository is not pushed', async () => {
        const missing = imageOf(image.layers.slice(1));
        const e = await pushImage(client, [ref('lab/partial:1')], {
          ...missing,
          blobs: [missing.configBlob],
        }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(RegistryError);
        expect((e as Error).message).toMatch(/neither given to push nor is in .*the manifest was not pushed/);
        expect(await client.headManifest(ref('lab/partial:1'))).toBeUndefined();
      });
    });
  }

  describe('token auth (ghcr.io flow)', () => {
    let reg: TestRegistry;
    let dir: string;
    const ref = (s: string) => parseReference(`${reg.host}/${s}`);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kiln-token-e2e-'));
      reg = await startRegistry({
        auth: 'token',
        users: {
          kiln: { password: 'kiln-pass' },
          reader: { password: 'reader-pass', access: { 'lab/*': ['pull'] } },
        },
      });
      const c = new RegistryClient({
        credentials: staticCredentials({ [reg.host]: basic('kiln', 'kiln-pass') }),
      });
      await pushImage(c, [ref('lab/base:1')], image);
      await c.close();
    });
    afterAll(async () => {
      await reg.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a wrong password gets 401 with a message about the credentials', async () => {
      const c = new RegistryClient({
        credentials: staticCredentials({ [reg.host]: basic('kiln', 'wrong') }),
        retry: fast,
      });
      const e = await pullImage(c, ref('lab/base:1')).catch((x: unknown) => x);
      await c.close();
      expect(e).toBeInstanceOf(RegistryError);
      expect((e as RegistryError).status).toBe(401);
      expect((e as Error).message).toMatch(/→ 401/);
      expect((e as Error).message).toMatch(/rejected the credentials for 127\.0\.0\.1:\d+/);
      expect(reg.token!.requests.at(-1)).toMatchObject({ status: 401 });
    });

    test('anonymous gets 401; a pull-only user can pull but not push, and no manifest lands', async () => {
      const anon = new RegistryClient({ retry: fast });
      const e1 = await pullImage(anon, ref('lab/base:1')).catch((x: unknown) => x);
      await anon.close();
      expect((e1 as RegistryError).status).toBe(401);

      const reader = new RegistryClient({
        credentials: staticCredentials({ [reg.host]: basic('reader', 'reader-pass') }),
        retry: fast,
      });
      try {
        expect((await pullImage(reader, ref('lab/base:1'))).digest).toBe(image.digest);
        const small = imageOf(image.layers.slice(1));
        const e2 = await pushImage(reader, [ref('lab/denied:1')], small).catch((x: unknown) => x);
        expect(e2).toBeInstanceOf(RegistryError);
        expect((e2 as RegistryError).status).toBe(401);
        expect((e2 as Error).message).toMatch(
          /lack permission for this repository \(asked for "repository:lab\/denied:(pull,push|push,pull)"\)/,
        );
        expect(
          reg.requests().some((r) => r.method === 'PUT' && r.path.includes('/lab/denied/manifests/')),
        ).toBe(false);
      } finally {
        await reader.close();
      }
    });

    test('identity token (OAuth2 refresh token) and a credential helper from config.json', async () => {
      const cfgDir = join(dir, 'docker');
      mkdirSync(cfgDir, { recursive: true });
      writeFileSync(
        join(cfgDir, 'config.json'),
        JSON.stringify({ auths: { [reg.host]: { identitytoken: reg.token!.refreshTokenFor('kiln') } } }),
      );
      const viaIdentity = new RegistryClient({
        credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: cfgDir } }),
      });
      const before = reg.token!.requests.length;
      expect((await pullImage(viaIdentity, ref('lab/base:1'))).digest).toBe(image.digest);
      await viaIdentity.close();
      expect(reg.token!.requests.slice(before).some((r) => r.method === 'POST' && r.account === 'kiln')).toBe(
        true,
      );

      const bin = join(dir, 'bin');
      mkdirSync(bin, { recursive: true });
      writeFileSync(
        join(bin, 'docker-credential-kilnlab'),
        `#!/bin/sh\nread url\necho '{"ServerURL":"'$url'","Username":"kiln","Secret":"kiln-pass"}'\n`,
      );
      chmodSync(join(bin, 'docker-credential-kilnlab'), 0o755);
      writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'kilnlab' } }));
      const viaHelper = new RegistryClient({
        credentials: dockerConfigCredentials({
          env: { DOCKER_CONFIG: cfgDir, PATH: `${bin}:${process.env.PATH}` },
        }),
      });
      const small = imageOf(image.layers.slice(2));
      expect(await pushImage(viaHelper, [ref('lab/helper:1')], small)).toBe(small.digest);
      await viaHelper.close();
      const c = new RegistryClient({
        credentials: staticCredentials({ [reg.host]: basic('kiln', 'kiln-pass') }),
      });
      await validateImage(c, ref('lab/helper:1'));
      await c.close();
    });

    test('passwords and tokens are registered as secrets and never printed', async () => {
      const cap = capture();
      const c = new RegistryClient({
        credentials: staticCredentials({ [reg.host]: basic('kiln', 'kiln-pass') }),
        logger: cap.logger,
      });
      const first = reg.token!.tokens.length;
      await pushImage(c, [ref('lab/masked:1')], imageOf(image.layers.slice(1)));
      await pullImage(c, ref('lab/masked:1'));
      await c.close();
      const issued = reg.token!.tokens.slice(first);
      expect(issued.length).toBeGreaterThan(0);
      expect(cap.secrets).toContain('kiln-pass');
      for (const t of issued) expect(cap.secrets).toContain(t);
      const text = cap.lines.join('\n');
      expect(text).toContain('PUT'); // debug lines were written
      expect(text).not.toContain('kiln-pass');
      for (const t of issued) expect(text).not.toContain(t);
    });
  });

  describeWith({ binaries: ['skopeo'] }, 'skopeo reads what the client pushed', () => {
    test('skopeo inspect with --creds on the token registry', async () => {
      const reg = await startRegistry({ auth: 'token' });
      try {
        const c = new RegistryClient({
          credentials: staticCredentials({ [reg.host]: basic(reg.username!, reg.password!) }),
        });
        const digest = await pushImage(c, [parseReference(`${reg.host}/lab/skopeo:v1`)], image);
        await c.close();
        const args = ['inspect', '--tls-verify=false', '--creds', `${reg.username}:${reg.password}`];
        const target = `docker://${reg.host}/lab/skopeo:v1`;
        // Async: the token server runs in this process and must keep answering.
        const run = promisify(execFile);
        const out = await run('skopeo', [...args, target], { encoding: 'utf8', timeout: 60_000 });
        const info = JSON.parse(out.stdout) as {
          Digest: string;
          Layers: string[];
          Architecture: string;
        };
        expect(info.Digest).toBe(digest);
        expect(info.Layers).toEqual(image.layers.map((l) => l.digest));
        expect(info.Architecture).toBe(image.config.architecture);
        const raw = await run('skopeo', [...args, '--raw', target], { encoding: 'buffer', timeout: 60_000 });
        expect(raw.stdout.equals(image.manifest)).toBe(true);
      } finally {
        await reg.stop();
      }
    });
  });

  describe('Basic auth and blob redirects to storage', () => {
    test('Basic credentials are sent to the registry but never to the storage host', async () => {
      const reg = await startRegistry();
      const storage = await startFaultProxy(reg.url);
      const front = await startFaultProxy(
        reg.url,
        [
          {
            method: 'GET',
            path: /\/blobs\/sha256:/,
            times: Number.POSITIVE_INFINITY,
            action: { kind: 'redirect', to: storage.url },
          },
        ],
        { requireBasic: { username: 'u', password: 'p' } },
      );
      try {
        const c = new RegistryClient({
          credentials: staticCredentials({ [front.host]: basic('u', 'p') }),
          retry: fast,
        });
        const r = parseReference(`${front.host}/lab/redirect:1`);
        await pushImage(c, [r], image);
        const pulled = await pullImage(c, r);
        for (const [i, l] of pulled.layers.entries()) {
          expect((await readStream(l.open())).equals(await readStream(image.layers[i]!.open()))).toBe(true);
        }
        await c.close();
        const redirected = front.requests.filter((q) => q.fault === 'redirect');
        expect(redirected.length).toBeGreaterThan(0);
        expect(redirected.every((q) => q.authorization)).toBe(true);
        expect(storage.requests.length).toBeGreaterThanOrEqual(redirected.length);
        expect(storage.requests.every((q) => !q.authorization)).toBe(true);

        const wrong = new RegistryClient({
          credentials: staticCredentials({ [front.host]: basic('u', 'x') }),
          retry: fast,
        });
        const e = await pullImage(wrong, r).catch((x: unknown) => x);
        await wrong.close();
        expect((e as RegistryError).status).toBe(401);
        expect((e as Error).message).toMatch(/Check the credentials for 127\.0\.0\.1:\d+/);
      } finally {
        await front.stop();
        await storage.stop();
        await reg.stop();
      }
    });
  });
});
