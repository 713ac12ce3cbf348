import { describe, expect, test } from '@jest/globals';
import { type Digest, sha256 } from '../../src/image/digest.js';
import { indexEntry, indexOf } from '../../src/image/image-index.js';
import { MediaType } from '../../src/image/media-types.js';

const d = (c: string) => `sha256:${c.repeat(64)}` as Digest;
const manifest = (c: string, size = 100) => ({ mediaType: MediaType.OciManifest, digest: d(c), size });

describe('indexOf', () => {
  test('the exact bytes: OCI index, entries in order, platforms normalised, nothing else', () => {
    const built = indexOf([
      indexEntry(manifest('a'), { os: 'linux', architecture: 'x86_64' }),
      indexEntry(manifest('b', 200), { os: 'linux', architecture: 'arm64', variant: 'v8' }),
      indexEntry(manifest('c', 300), { os: 'linux', architecture: 'arm' }),
    ]);
    const text =
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[' +
      `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${d('a')}","size":100,"platform":{"architecture":"amd64","os":"linux"}},` +
      `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${d('b')}","size":200,"platform":{"architecture":"arm64","os":"linux"}},` +
      `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${d('c')}","size":300,"platform":{"architecture":"arm","os":"linux","variant":"v7"}}]}`;
    expect(built.bytes.toString()).toBe(text);
    expect(built.digest).toBe(sha256(text));
    expect(built.mediaType).toBe(MediaType.OciIndex);
  });

  test('one image per platform; the same manifest twice is listed once; attestations may repeat', () => {
    const amd = indexEntry(manifest('a'), { os: 'linux', architecture: 'amd64' });
    expect(() => indexOf([amd, indexEntry(manifest('b'), { os: 'linux', architecture: 'amd64' })])).toThrow(
      `two manifests for platform linux/amd64 (${d('a')} and ${d('b')}): an index holds one image per platform`,
    );
    expect(indexOf([amd, amd]).index.manifests).toHaveLength(1);
    const attestation = (c: string) => ({
      ...manifest(c),
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
    });
    expect(indexOf([amd, attestation('e'), attestation('f')]).index.manifests).toHaveLength(3);
    expect(() => indexOf([])).toThrow('an image index needs at least one manifest');
  });
});
