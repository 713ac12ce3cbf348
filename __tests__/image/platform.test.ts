import { describe, expect, test } from '@jest/globals';
import { parseDigest } from '../../src/image/digest.js';
import type { Descriptor, ImageIndex, Platform } from '../../src/image/manifest.js';
import { MediaType } from '../../src/image/media-types.js';
import {
  formatPlatform,
  hostPlatform,
  imageEntries,
  normalizePlatform,
  PlatformError,
  PlatformNotFoundError,
  parsePlatform,
  samePlatform,
  selectManifest,
} from '../../src/image/platform.js';

describe('parsePlatform / formatPlatform normalise like containerd', () => {
  test.each([
    ['linux/amd64', 'linux/amd64'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/x86-64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm64', 'linux/arm64'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/arm/7', 'linux/arm/v7'],
    ['linux/arm/v6', 'linux/arm/v6'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/i386', 'linux/386'],
    ['linux/i686', 'linux/386'],
    ['Linux/AMD64', 'linux/amd64'],
    ['linux/ppc64le', 'linux/ppc64le'],
    ['linux/s390x', 'linux/s390x'],
    ['linux/riscv64', 'linux/riscv64'],
    ['arm64', 'linux/arm64'],
    ['windows/amd64', 'windows/amd64'],
    ['macos/arm64', 'darwin/arm64'],
  ])('%s → %s', (input, want) => {
    expect(formatPlatform(parsePlatform(input))).toBe(want);
  });

  test.each(['', 'linux/', '/amd64', 'linux/arm/v7/x', 'linux/am d64', 'linux//amd64'])(
    'rejects %j with a message that quotes it',
    (input) => {
      expect(() => parsePlatform(input)).toThrow(PlatformError);
      expect(() => parsePlatform(input)).toThrow(`"${input}"`);
    },
  );

  test('arm64/v8 ≡ arm64, arm ≡ arm/v7, amd64 ≢ arm64', () => {
    expect(
      samePlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }, parsePlatform('linux/arm64')),
    ).toBe(true);
    expect(samePlatform({ os: 'linux', architecture: 'arm' }, parsePlatform('linux/arm/v7'))).toBe(true);
    expect(samePlatform(parsePlatform('linux/amd64'), parsePlatform('linux/arm64'))).toBe(false);
  });

  test('normalizePlatform keeps os.version and os.features', () => {
    const p = normalizePlatform({
      os: 'windows',
      architecture: 'AMD64',
      'os.version': '10.0.17763.1',
      'os.features': ['win32k'],
    });
    expect(p).toEqual({
      os: 'windows',
      architecture: 'amd64',
      'os.version': '10.0.17763.1',
      'os.features': ['win32k'],
    });
  });
});

describe('hostPlatform', () => {
  test('maps process.arch to an OCI architecture', () => {
    const want: Record<string, string> = {
      x64: 'amd64',
      arm64: 'arm64',
      arm: 'arm',
      ia32: '386',
      s390x: 's390x',
      riscv64: 'riscv64',
    };
    const p = hostPlatform();
    expect(p.os).toBe(process.platform === 'win32' ? 'windows' : process.platform);
    if (want[process.arch]) expect(p.architecture).toBe(want[process.arch]);
    if (process.arch === 'ppc64') expect(p.architecture).toMatch(/^ppc64(le)?$/);
    expect(formatPlatform(p)).toMatch(/^[a-z]+\/[a-z0-9]+(\/v\d)?$/);
  });
});

const d = (n: number) => parseDigest(`sha256:${String(n).repeat(64).slice(0, 64)}`);
function entry(
  n: number,
  platform?: Platform,
  annotations?: Record<string, string>,
  mediaType: string = MediaType.OciManifest,
): Descriptor {
  return {
    mediaType,
    digest: d(n),
    size: 100 + n,
    ...(platform ? { platform } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

const index: ImageIndex = {
  schemaVersion: 2,
  mediaType: MediaType.OciIndex,
  manifests: [
    entry(1, { os: 'linux', architecture: 'amd64' }),
    entry(2, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    entry(3, { os: 'linux', architecture: 'arm', variant: 'v6' }),
    entry(
      4,
      { os: 'unknown', architecture: 'unknown' },
      { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d(1) },
    ),
    entry(5, { os: 'linux', architecture: 's390x' }, { 'vnd.docker.reference.type': 'attestation-manifest' }),
    entry(6),
    entry(7, { os: 'linux', architecture: 'ppc64le' }, undefined, 'application/vnd.example.sbom+json'),
  ],
};

describe('selectManifest', () => {
  test.each([
    ['linux/amd64', 1],
    ['linux/x86_64', 1],
    ['linux/arm64', 2],
    ['linux/arm64/v8', 2],
    ['linux/aarch64', 2],
    ['linux/arm/v7', 3], // a v7 host runs v6
    ['linux/arm/v6', 3],
  ])('%s picks entry %d', (want, n) => {
    expect(selectManifest(index, parsePlatform(want)).digest).toBe(d(n));
  });

  test('exact variant beats a compatible one', () => {
    const both: ImageIndex = {
      schemaVersion: 2,
      manifests: [
        entry(3, { os: 'linux', architecture: 'arm', variant: 'v6' }),
        entry(8, { os: 'linux', architecture: 'arm', variant: 'v7' }),
      ],
    };
    expect(selectManifest(both, parsePlatform('linux/arm/v7')).digest).toBe(d(8));
  });

  test('attestations, entries without platform and non-image entries are skipped', () => {
    expect(imageEntries(index).map((e) => e.digest)).toEqual([d(1), d(2), d(3)]);
    expect(() => selectManifest(index, parsePlatform('linux/s390x'))).toThrow(PlatformNotFoundError);
    expect(() => selectManifest(index, parsePlatform('linux/ppc64le'))).toThrow(PlatformNotFoundError);
  });

  test('the error lists the platforms there are', () => {
    const err = (() => {
      try {
        selectManifest(index, parsePlatform('linux/riscv64'), 'docker.io/library/alpine:3');
      } catch (e) {
        return e as PlatformNotFoundError;
      }
      throw new Error('no error');
    })();
    expect(err.available).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v6']);
    expect(err.message).toContain('no image for platform linux/riscv64 in docker.io/library/alpine:3');
    expect(err.message).toContain('linux/amd64, linux/arm64, linux/arm/v6');
    expect(err.message).toContain('choose one of those with {{platform}}');
  });

  test('an arm64 host does not get an arm image, nor an amd64 one', () => {
    const armOnly: ImageIndex = {
      schemaVersion: 2,
      manifests: [
        entry(3, { os: 'linux', architecture: 'arm', variant: 'v7' }),
        entry(1, { os: 'linux', architecture: 'amd64' }),
      ],
    };
    expect(() => selectManifest(armOnly, parsePlatform('linux/arm64'))).toThrow(
      /linux\/arm\/v7, linux\/amd64/,
    );
  });
});
