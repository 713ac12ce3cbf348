import { describe, expect, test } from '@jest/globals';
import {
  dockerfileAnnotation,
  errorAnnotation,
  isDockerfileErrorLike,
  isRegistryErrorLike,
  type RegistryErrorLike,
  registryHint,
} from '../../src/action/annotations.js';
import { RegistryError } from '../../src/registry/errors.js';

const WS = '/home/runner/work/r/r';

class FakeDockerfileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

describe('Dockerfile errors → file annotations', () => {
  test.each([
    [`${WS}/Dockerfile`, 'Dockerfile'],
    [`${WS}/svc/Dockerfile.prod`, 'svc/Dockerfile.prod'],
    ['docker/Dockerfile', 'docker/Dockerfile'],
  ])('%s → %s', (file, rel) => {
    const a = errorAnnotation(new FakeDockerfileError(file, 7, 'unknown instruction: RUNN'), WS);
    expect(a).toEqual({
      message: 'unknown instruction: RUNN',
      properties: { title: 'Dockerfile error', file: rel, startLine: 7 },
    });
  });

  test('a Dockerfile outside the workspace keeps its location in the title', () => {
    expect(dockerfileAnnotation({ file: '/tmp/x/Dockerfile', line: 2, message: 'm' }, WS)).toEqual({
      message: 'm',
      properties: { title: 'Dockerfile error at /tmp/x/Dockerfile:2' },
    });
  });

  test.each([
    [{ file: 'Dockerfile', line: 1, message: 'm' }, true],
    [{ file: '', line: 1, message: 'm' }, false],
    [{ file: 'Dockerfile', line: 0, message: 'm' }, false],
    [{ file: 'Dockerfile', line: 1.5, message: 'm' }, false],
    [{ file: 'Dockerfile', message: 'm' }, false],
    [null, false],
    ['Dockerfile:1', false],
  ])('isDockerfileErrorLike(%j) = %j', (value, want) => {
    expect(isDockerfileErrorLike(value)).toBe(want);
  });
});

describe('registry errors → the fix', () => {
  const err = (status: number, url: string, codes?: string[]) => ({
    status,
    url,
    codes,
    method: 'PUT',
    message: `PUT ${url}: ${status}`,
  });

  test.each<[ReturnType<typeof err>, RegExp | undefined]>([
    [err(403, 'https://ghcr.io/v2/o/r/blobs/uploads/'), /permissions: packages: write/],
    [err(401, 'https://ghcr.io/token?scope=repository:o/r:push', ['DENIED']), /permissions: packages: write/],
    [
      err(401, 'https://ghcr.io/v2/o/r/manifests/x'),
      /GHCR did not accept the credentials.*registry: docker\.io/,
    ],
    [err(429, 'https://registry-1.docker.io/v2/library/x/manifests/1'), /rate-limited/],
    [err(400, 'https://r.example/v2/x', ['TOOMANYREQUESTS']), /rate-limited/],
    [err(401, 'https://registry.gitlab.com/v2/g/p/blobs/uploads/'), /check username and password/],
    [err(403, 'https://registry.gitlab.com/v2/g/p/blobs/uploads/'), /push rights/],
    [err(404, 'https://123.dkr.ecr.us-east-1.amazonaws.com/v2/app/blobs/uploads/'), /need it created/],
    [err(500, 'https://r.example/v2/x'), undefined],
    [err(403, 'not a url'), /push rights/],
  ])('%j', (e, hint) => {
    const h = registryHint(e);
    if (hint) expect(h).toMatch(hint);
    else expect(h).toBeUndefined();
    const a = errorAnnotation(e, WS);
    expect(a.properties).toEqual({ title: 'Registry error' });
    expect(a.message.startsWith(e.message)).toBe(true);
  });

  test('a RegistryError as the registry client throws it (codes as objects) gets its hint', () => {
    const e = new RegistryError({
      registry: 'ghcr.io',
      operation: 'push manifest',
      failure: 'status',
      method: 'PUT',
      url: 'https://ghcr.io/v2/o/r/manifests/x',
      status: 401,
      codes: [{ code: 'DENIED', message: 'permission_denied' }],
    });
    expect(registryHint(e as RegistryErrorLike)).toMatch(/permissions: packages: write/);
    expect(errorAnnotation(e, WS).properties).toEqual({ title: 'Registry error' });
  });

  test('other errors keep their message, no properties', () => {
    expect(errorAnnotation(new Error('boom'), WS)).toEqual({ message: 'boom', properties: {} });
    expect(errorAnnotation('text', WS)).toEqual({ message: 'text', properties: {} });
    expect(isRegistryErrorLike({ status: 200, message: 'ok' })).toBe(false);
  });
});
