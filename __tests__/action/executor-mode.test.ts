import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { errorAnnotation } from '../../src/action/annotations.js';
import {
  chownTree,
  decodeRequest,
  deserializeError,
  EXECUTOR_FLAG,
  type ExecutorRequest,
  encodeRequest,
  executorRequestFromArgv,
  outputPaths,
  serializeError,
} from '../../src/action/executor-mode.js';
import { decodeJson, encodeJson } from '../../src/action/options-codec.js';
import { executorEnv, optionsForRoot } from '../../src/action/privileged-build.js';
import { DockerfileError } from '../../src/dockerfile/errors.js';
import { type BuildOptions, defaultBuildOptions } from '../../src/executor/options.js';
import { RegistryError } from '../../src/registry/errors.js';
import { describeWith } from '../lab/prereq.js';

function fullOptions(): BuildOptions {
  const o = defaultBuildOptions('/ws/app', '/ws/app/Dockerfile');
  o.destinations = ['ghcr.io/o/r:1', 'ghcr.io/o/r:latest'];
  o.buildArgs = new Map([
    ['MSG', 'hello world'],
    ['EMPTY', ''],
    ['$map', 'a key that looks like the tag'],
  ]);
  o.labels = new Map([['org.opencontainers.image.revision', 'abc']]);
  o.registryCertificates = new Map([['r.example', '/etc/ca.pem']]);
  o.insecureRegistries = ['127.0.0.1:5000'];
  o.cache = {
    enabled: true,
    repo: 'ghcr.io/o/r/cache',
    ttlMs: 3600_000,
    dir: '/tmp/c',
    copyLayers: false,
    runLayers: true,
  };
  o.target = 'final';
  o.ociLayoutPath = '/ws/out/oci';
  o.tarPath = '/ws/out/image.tar';
  o.digestFile = '/ws/out/digest';
  o.dockerConfig = '/tmp/auth/config.json';
  o.sourceDateEpoch = 1700000000;
  o.skipUnchanged = { ignoreLabels: ['org.opencontainers.image.revision'] };
  o.reproducible = true;
  return o;
}

describe('options codec', () => {
  test('BuildOptions survive JSON exactly, Maps included', () => {
    const o = fullOptions();
    const back = decodeJson(encodeJson(o));
    expect(back).toEqual(o);
    expect((back as BuildOptions).buildArgs).toBeInstanceOf(Map);
  });

  test('plain keys that start with $ are escaped, not taken for Maps', () => {
    const value = { $map: [['a', 'b']], $$x: 1, nested: [{ $map: 'text' }, new Map([[1, { a: 2 }]])] };
    expect(decodeJson(encodeJson(value))).toEqual(value);
  });
});

describe('executor request', () => {
  const request = (over: Partial<ExecutorRequest> = {}): ExecutorRequest => ({
    options: fullOptions(),
    verbose: true,
    responsePath: '/tmp/x/response.json',
    owner: { uid: 1001, gid: 118 },
    chown: ['/ws/out/oci'],
    ...over,
  });

  test('round trip', () => {
    expect(decodeRequest(encodeRequest(request()))).toEqual(request());
  });

  test.each([
    ['a relative response path', { responsePath: 'response.json' }, /absolute/],
    ['no owner', { owner: undefined as unknown as ExecutorRequest['owner'] }, /owner/],
    ['a relative chown path', { chown: ['out'] }, /chown/],
    [
      'options without Maps',
      { options: { ...fullOptions(), labels: {} } as unknown as BuildOptions },
      /labels/,
    ],
  ])('refuses %s', (_name, over, error) => {
    expect(() => decodeRequest(encodeRequest(request(over)))).toThrow(error);
  });

  test('argv switch', () => {
    expect(executorRequestFromArgv([])).toBeUndefined();
    expect(executorRequestFromArgv([EXECUTOR_FLAG, '/tmp/r.json'])).toBe('/tmp/r.json');
    expect(() => executorRequestFromArgv([EXECUTOR_FLAG])).toThrow(/request file/);
  });

  test('the outputs a root build writes for the user', () => {
    expect(outputPaths(fullOptions())).toEqual([
      '/ws/out/oci',
      '/ws/out/image.tar',
      '/ws/out/digest',
      '/tmp/c',
    ]);
    expect(outputPaths(defaultBuildOptions('/c', '/c/Dockerfile'))).toEqual([]);
  });
});

describe('errors across the process boundary', () => {
  test('a Dockerfile error keeps its file and line: the same annotation', () => {
    const err = new DockerfileError('app/Dockerfile', 7, 'unknown instruction "FROB"');
    const back = deserializeError(JSON.parse(JSON.stringify(serializeError(err))));
    expect(errorAnnotation(back, '/ws')).toEqual(errorAnnotation(err, '/ws'));
    expect(errorAnnotation(back, '/ws').properties).toMatchObject({ file: 'app/Dockerfile', startLine: 7 });
  });

  test('a real RegistryError crosses with its codes and hint; the annotation gives the hint once', () => {
    const err = new RegistryError({
      registry: 'ghcr.io',
      repository: 'o/r',
      operation: 'push manifest',
      failure: 'status',
      method: 'PUT',
      url: 'https://ghcr.io/v2/o/r/manifests/1',
      status: 403,
      codes: [{ code: 'DENIED', message: 'permission_denied' }],
    });
    const s = serializeError(err);
    expect(s.codes).toEqual(['DENIED']);
    expect(s.hint).toBe(err.hint);
    const a = errorAnnotation(deserializeError(s), '/ws');
    expect(a).toEqual(errorAnnotation(err, '/ws'));
    expect(a.message.split('packages: write')).toHaveLength(2);
  });

  test('a registry error keeps status, URL and codes: the same hint', () => {
    const err = Object.assign(new Error('push refused'), {
      name: 'RegistryError',
      status: 403,
      method: 'PUT',
      url: 'https://ghcr.io/v2/o/r/manifests/1',
      codes: ['DENIED'],
    });
    const back = deserializeError(serializeError(err));
    expect(back.name).toBe('RegistryError');
    expect(errorAnnotation(back, '/ws')).toEqual(errorAnnotation(err, '/ws'));
    expect(errorAnnotation(back, '/ws').message).toContain('packages: write');
  });

  test('anything else: its text', () => {
    expect(serializeError('boom')).toEqual({ name: 'Error', message: 'boom' });
  });
});

describe('the root child environment', () => {
  test('a fixed PATH, root’s HOME and TLS settings; nothing of the runner', () => {
    const env = executorEnv({
      PATH: '/home/runner/.local/bin:/usr/bin',
      HOME: '/home/runner',
      GITHUB_TOKEN: 'ghs_x',
      INPUT_PASSWORD: 'secret',
      ACTIONS_RUNTIME_TOKEN: 'y',
      NODE_EXTRA_CA_CERTS: '/etc/corp-ca.pem',
      DOCKER_CONFIG: '/home/runner/.docker',
    });
    expect(env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOME=/root',
      'NODE_EXTRA_CA_CERTS=/etc/corp-ca.pem',
    ]);
  });

  describe('credentials the user logged in with reach the root child', () => {
    let dir: string | undefined;
    afterEach(async () => {
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    });

    test('DOCKER_CONFIG/config.json, when it exists and no config was written', async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-docker-config-'));
      const o = defaultBuildOptions('/c', '/c/Dockerfile');
      expect(optionsForRoot(o, { DOCKER_CONFIG: dir }).dockerConfig).toBeUndefined();
      await fs.writeFile(path.join(dir, 'config.json'), '{}');
      expect(optionsForRoot(o, { DOCKER_CONFIG: dir }).dockerConfig).toBe(path.join(dir, 'config.json'));
      o.dockerConfig = '/run/kiln-auth/config.json';
      expect(optionsForRoot(o, { DOCKER_CONFIG: dir }).dockerConfig).toBe('/run/kiln-auth/config.json');
    });
  });
});

describeWith({ root: true }, 'chownTree (as root)', () => {
  test('hands root-owned entries to the user, leaves others’ files and never follows links', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-chown-'));
    try {
      const outside = path.join(dir, 'outside.txt');
      await fs.writeFile(outside, 'x');
      const tree = path.join(dir, 'oci');
      await fs.mkdir(path.join(tree, 'blobs/sha256'), { recursive: true });
      await fs.writeFile(path.join(tree, 'index.json'), '{}');
      await fs.writeFile(path.join(tree, 'blobs/sha256/aa'), 'blob');
      await fs.writeFile(path.join(tree, 'theirs'), 'keep');
      await fs.chown(path.join(tree, 'theirs'), 2222, 2222);
      await fs.symlink(outside, path.join(tree, 'link'));

      await chownTree(tree, { uid: 4321, gid: 4322 });
      await chownTree(path.join(dir, 'missing'), { uid: 4321, gid: 4322 });

      for (const p of ['', 'index.json', 'blobs', 'blobs/sha256', 'blobs/sha256/aa']) {
        const st = await fs.lstat(path.join(tree, p));
        expect([p, st.uid, st.gid]).toEqual([p, 4321, 4322]);
      }
      expect((await fs.lstat(path.join(tree, 'theirs'))).uid).toBe(2222);
      expect((await fs.lstat(path.join(tree, 'link'))).uid).toBe(4321);
      expect((await fs.stat(outside)).uid).toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
