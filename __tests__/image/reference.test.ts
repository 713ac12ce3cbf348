import { describe, expect, test } from '@jest/globals';
import { parseReference } from '../../src/image/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference normalises like Docker', () => {
  test.each([
    ['ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
    ['ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined],
    ['docker.io/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
    ['index.docker.io/library/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
    ['bitnami/redis', 'docker.io', 'bitnami/redis', 'latest', undefined],
    ['ghcr.io/owner/repo/app:sha-1', 'ghcr.io', 'owner/repo/app', 'sha-1', undefined],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['localhost:5000/ns/app:v1', 'localhost:5000', 'ns/app', 'v1', undefined],
    ['127.0.0.1:5000/app', '127.0.0.1:5000', 'app', 'latest', undefined],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', undefined],
    ['[fe80::1]/app', '[fe80::1]', 'app', 'latest', undefined],
    [`host:5000/a/b:t@${D}`, 'host:5000', 'a/b', 't', D],
    [`alpine@${D}`, 'docker.io', 'library/alpine', undefined, D],
    ['Registry/app', 'Registry', 'app', 'latest', undefined],
    ['a__b/c-d.e_f/g---h', 'docker.io', 'a__b/c-d.e_f/g---h', 'latest', undefined],
  ])('%s', (input, registry, repository, tag, digest) => {
    const r = parseReference(input);
    expect([r.registry, r.repository, r.tag, r.digest]).toEqual([registry, repository, tag, digest]);
  });

  test('identifier prefers the digest; apiHost maps Docker Hub', () => {
    expect(parseReference(`a:b@${D}`).identifier).toBe(D);
    expect(parseReference('a').apiHost).toBe('registry-1.docker.io');
    expect(parseReference('a').toString()).toBe('docker.io/library/a:latest');
  });

  test.each([
    ['', /is empty/],
    ['Ubuntu', /must be lowercase/],
    ['ghcr.io/Owner/app', /must be lowercase/],
    ['app:-bad', /tag "-bad" must start with/],
    [`app:${'x'.repeat(129)}`, /at most 128/],
    ['app@sha256:abc', /64 lowercase hex/],
    ['app@md5:abc', /expected sha256/],
    [`r.io/${'a'.repeat(260)}`, /at most 255/],
    ['r.io/a//b', /path component ""/],
    ['bad_host.io:x/app', /not a valid registry/],
    ['app name', /whitespace/],
    ['r.io/', /repository name is empty/],
  ])('rejects %j', (input, message) => {
    expect(() => parseReference(input)).toThrow(message);
    expect(() => parseReference(input)).toThrow(`"${input}"`);
  });
});
