/**
 * Multi-platform base images made offline from Debian's packages: the arm64
 * busybox-static (`apt-get download busybox-static:arm64`, which needs
 * `dpkg --add-architecture arm64 && apt-get update`, done by .ci/run)
 * unpacked with dpkg-deb into the same busybox layer as the host's, and an
 * OCI index of the amd64 (host) and arm64 busybox images pushed with the
 * project's client. The binary is cached in the temp dir.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '../../src/image/digest.js';
import { indexEntry, indexOf } from '../../src/image/image-index.js';
import type { Platform } from '../../src/image/manifest.js';
import { hostPlatform } from '../../src/image/platform.js';
import type { Reference } from '../../src/image/reference.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { pushIndex } from '../../src/registry/push.js';
import { makeBusyboxImage, type TestImage } from './busybox-fixture.js';

/** What the fixture needs on the machine: for describeWith({ binaries }). */
export const MULTIARCH_FIXTURE_BINARIES = ['apt-get', 'dpkg-deb', 'busybox', 'tar'];

export const ARM64: Platform = { os: 'linux', architecture: 'arm64' };

/** Debian's static busybox for arm64, downloaded once; its path. */
export async function arm64Busybox(): Promise<string> {
  const dir = join(tmpdir(), 'kiln-lab-cache', 'busybox-static-arm64');
  const binary = join(dir, 'bin', 'busybox');
  if (existsSync(binary)) return binary;
  await mkdir(join(tmpdir(), 'kiln-lab-cache'), { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'kiln-lab-cache', 'arm64-'));
  try {
    try {
      execFileSync('apt-get', ['-o', 'APT::Sandbox::User=root', 'download', 'busybox-static:arm64'], {
        cwd: work,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (e) {
      throw new Error(
        `apt-get download busybox-static:arm64 failed (${String((e as { stderr?: Buffer }).stderr ?? e).trim()}): ` +
          'run `dpkg --add-architecture arm64 && apt-get update` first (.ci/run does)',
      );
    }
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download left no .deb in ${work}`);
    const out = join(work, 'x');
    execFileSync('dpkg-deb', ['-x', join(work, deb), out]);
    await rename(out, dir).catch((e: NodeJS.ErrnoException) => {
      // Another worker finished first: use theirs.
      if (!existsSync(binary)) throw e;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return binary;
}

/** The busybox image for arm64 (same layer layout as the host's). */
export async function makeArm64BusyboxImage(): Promise<TestImage> {
  return makeBusyboxImage({ platform: ARM64, binary: await arm64Busybox() });
}

/**
 * Pushes an OCI index of the busybox image for the host (amd64) and for
 * arm64 to `refs`; returns the images (host first) and the index digest.
 */
export async function pushMultiArchBusybox(
  client: RegistryClient,
  refs: Reference[],
): Promise<{ images: TestImage[]; digest: Digest }> {
  const images = [await makeBusyboxImage({ platform: hostPlatform() }), await makeArm64BusyboxImage()];
  const index = indexOf(
    images.map((i) =>
      indexEntry(
        { mediaType: i.mediaType, digest: i.digest, size: i.manifest.length },
        {
          os: i.config.os,
          architecture: i.config.architecture,
        },
      ),
    ),
  );
  const digest = await pushIndex(client, refs, {
    manifest: index.bytes,
    mediaType: index.mediaType,
    images,
  });
  return { images, digest };
}
