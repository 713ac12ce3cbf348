import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { dockerAuthKey, dockerConfigJson, writeDockerConfig } from '../../src/action/credentials.js';

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'kiln-runner-temp-'));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const creds = { host: 'ghcr.io', username: 'octocat', password: 'ghs_secretToken' };

describe('docker config.json for the registry client', () => {
  test.each([
    ['ghcr.io', 'ghcr.io'],
    ['docker.io', 'https://index.docker.io/v1/'],
    ['localhost:5000', 'localhost:5000'],
  ])('auth key for %s is %s', (host, key) => {
    expect(dockerAuthKey(host)).toBe(key);
  });

  test('one auths entry with base64(user:password); both secrets reported', () => {
    const { json, secrets } = dockerConfigJson(creds);
    const auth = Buffer.from('octocat:ghs_secretToken').toString('base64');
    expect(JSON.parse(json)).toEqual({ auths: { 'ghcr.io': { auth } } });
    expect(secrets).toEqual(['ghs_secretToken', auth]);
  });

  test('written under RUNNER_TEMP, private, masked first, removed by cleanup', async () => {
    const masked: string[] = [];
    let existedWhenMasked = true;
    const cfg = await writeDockerConfig(creds, temp, (s) => {
      masked.push(s);
      existedWhenMasked = false;
    });
    expect(existedWhenMasked).toBe(false);
    expect(masked).toEqual(dockerConfigJson(creds).secrets);
    expect(path.dirname(cfg.dir)).toBe(temp);
    expect(cfg.path).toBe(path.join(cfg.dir, 'config.json'));
    expect((await stat(cfg.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(cfg.path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(cfg.path, 'utf8')).auths['ghcr.io'].auth).toBe(masked[1]);

    await cfg.cleanup();
    await expect(stat(cfg.dir)).rejects.toThrow(/ENOENT/);
    await cfg.cleanup();
  });

  test("earlier logins in the runner's config.json are kept; the action's registry entry wins", async () => {
    const base = path.join(temp, 'runner-config.json');
    const hub = Buffer.from('me:dckr_pat_x').toString('base64');
    await writeFile(
      base,
      JSON.stringify({
        auths: { 'https://index.docker.io/v1/': { auth: hub }, 'https://ghcr.io': { auth: 'c3RhbGU6b2xk' } },
        credHelpers: { 'ghcr.io': 'gh', 'gcr.io': 'gcloud' },
        credsStore: 'pass',
        proxies: { default: {} },
      }),
    );
    const warnings: string[] = [];
    const cfg = await writeDockerConfig(creds, temp, () => {}, { base, warn: (m) => warnings.push(m) });
    const written = JSON.parse(await readFile(cfg.path, 'utf8'));
    expect(written).toEqual({
      auths: {
        'https://index.docker.io/v1/': { auth: hub },
        'ghcr.io': { auth: Buffer.from('octocat:ghs_secretToken').toString('base64') },
      },
      credHelpers: { 'gcr.io': 'gcloud' },
      credsStore: 'pass',
      proxies: { default: {} },
    });
    expect(warnings).toEqual([]);
    await cfg.cleanup();
  });

  test('a missing runner config is no config; an unreadable one is a warning, not a failure', async () => {
    const none = await writeDockerConfig(creds, temp, () => {}, { base: path.join(temp, 'absent.json') });
    expect(JSON.parse(await readFile(none.path, 'utf8'))).toEqual(JSON.parse(dockerConfigJson(creds).json));
    const bad = path.join(temp, 'bad.json');
    await writeFile(bad, '{ not json');
    const warnings: string[] = [];
    const cfg = await writeDockerConfig(creds, temp, () => {}, { base: bad, warn: (m) => warnings.push(m) });
    expect(JSON.parse(await readFile(cfg.path, 'utf8'))).toEqual(JSON.parse(dockerConfigJson(creds).json));
    expect(warnings).toEqual([
      expect.stringMatching(/^not reading .*bad\.json: .*earlier docker logins are not used$/),
    ]);
  });

  test('two runs get two directories', async () => {
    const a = await writeDockerConfig(creds, temp, () => {});
    const b = await writeDockerConfig(creds, temp, () => {});
    expect(a.dir).not.toBe(b.dir);
  });

  test('a relative or empty RUNNER_TEMP is refused, after masking', async () => {
    const masked: string[] = [];
    await expect(writeDockerConfig(creds, '', (s) => masked.push(s))).rejects.toThrow(
      /RUNNER_TEMP "" is not/,
    );
    await expect(writeDockerConfig(creds, 'tmp', () => {})).rejects.toThrow(/RUNNER_TEMP "tmp" is not/);
    expect(masked).toHaveLength(2);
  });
});
