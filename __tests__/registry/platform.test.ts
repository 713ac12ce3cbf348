import { describe, expect, test } from '@jest/globals';
import type { Digest } from '../../src/image/digest.js';
import type { Descriptor, ImageIndex, Platform } from '../../src/image/manifest.js';
import {
  availablePlatforms,
  formatPlatform,
  hostPlatform,
  normalisePlatform,
  parsePlatform,
  selectPlatform,
} from '../../src/registry/platform.js';

const d = (n: number, platform?: Platform, annotations?: Record<string, string>): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}` as Digest,
  size: 1,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});

const index: ImageIndex = {
  schemaVersion: 2,
  manifests: [
    d(1, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' }),
    d(2, { os: 'linux', architecture: 'amd64' }),
    d(3, { os: 'linux', architecture: 'arm', variant: 'v6' }),
    d(4, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    d(5, { os: 'linux', architecture: 'arm', variant: 'v7' }),
    d(6, { os: 'windows', architecture: 'amd64' }),
  ],
};

describe('platforms', () => {
  test('parse, format, normalise', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(() => parsePlatform('linux')).toThrow(/expected os\/arch/);
    expect(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' })).toBe('linux/arm/v7');
    expect(normalisePlatform({ os: 'Linux', architecture: 'aarch64' })).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
    expect(normalisePlatform({ os: 'linux', architecture: 'x86_64' })).toEqual({
      os: 'linux',
      architecture: 'amd64',
    });
    expect(normalisePlatform({ os: 'linux', architecture: 'armhf' }).variant).toBe('v7');
    expect(hostPlatform().os).toBe('linux');
  });

  test('selects by os/arch/variant and skips attestations', () => {
    const pick = (p: string) => selectPlatform(index, parsePlatform(p))?.digest.slice(7, 8);
    expect(pick('linux/amd64')).toBe('2');
    expect(pick('linux/arm64')).toBe('4');
    expect(pick('linux/arm64/v8')).toBe('4');
    expect(pick('linux/arm/v7')).toBe('5');
    expect(pick('linux/arm/v6')).toBe('3');
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm' })?.digest.slice(7, 8)).toBe('5');
    expect(pick('windows/amd64')).toBe('6');
    expect(pick('linux/s390x')).toBeUndefined();
    expect(pick('unknown/unknown')).toBeUndefined();
  });

  test('arm/v7 falls back to v6 when there is no v7', () => {
    const only6: ImageIndex = {
      schemaVersion: 2,
      manifests: [d(3, { os: 'linux', architecture: 'arm', variant: 'v6' })],
    };
    expect(selectPlatform(only6, parsePlatform('linux/arm/v7'))?.digest.slice(7, 8)).toBe('3');
    expect(selectPlatform(only6, parsePlatform('linux/arm/v5'))).toBeUndefined();
  });

  test('lists what is available without attestations', () => {
    expect(availablePlatforms(index)).toEqual([
      'linux/amd64',
      'linux/arm/v6',
      'linux/arm64/v8',
      'linux/arm/v7',
      'windows/amd64',
    ]);
  });
});
