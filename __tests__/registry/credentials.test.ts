import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  chainCredentials,
  dockerConfigCredentials,
  dockerConfigPath,
  helperEnv,
  normaliseRegistryKey,
  staticCredentials,
} from '../../src/registry/credentials.js';
import { RegistryError } from '../../src/registry/errors.js';

let dir: string;
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiln-creds-'));
  // A fake credential helper: records its stdin and environment, answers for two hosts.
  writeFileSync(
    join(dir, 'docker-credential-kilntest'),
    `#!/bin/sh
[ "$1" = get ] || exit 2
read url
echo "$url" > "${dir}/helper-url.txt"
env > "${dir}/helper-env.txt"
case "$url" in
  helper.example) echo '{"ServerURL":"helper.example","Username":"hu","Secret":"hp"}' ;;
  tokenhost.example) echo '{"ServerURL":"tokenhost.example","Username":"<token>","Secret":"refresh-1"}' ;;
  https://index.docker.io/v1/) echo '{"Username":"hubuser","Secret":"hubpass"}' ;;
  broken.example) echo 'boom' >&2; exit 3 ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`,
  );
  chmodSync(join(dir, 'docker-credential-kilntest'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, body: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(body));
  return p;
}

const env = () => ({
  PATH: `${dir}:${process.env.PATH}`,
  HOME: dir,
  GITHUB_TOKEN: 'ghs_secret',
  INPUT_PASSWORD: 'pw',
});

describe('docker config.json credentials', () => {
  test('auths: base64 auth, username/password, identitytoken, registrytoken, URL-shaped keys', async () => {
    const p = config('auths.json', {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pa:ss') },
        'ghcr.io': { username: 'me', password: 'ghp_x' },
        'http://localhost:5000/v2/': { identitytoken: 'idt' },
        'bearer.example': { registrytoken: 'rt' },
        'empty.example': {},
      },
    });
    const get = dockerConfigCredentials({ configPath: p, env: env() });
    expect(await get('docker.io')).toEqual({ kind: 'basic', username: 'hub', password: 'pa:ss' });
    expect(await get('ghcr.io')).toEqual({ kind: 'basic', username: 'me', password: 'ghp_x' });
    expect(await get('localhost:5000')).toEqual({ kind: 'identity-token', token: 'idt' });
    expect(await get('bearer.example')).toEqual({ kind: 'registry-token', token: 'rt' });
    expect(await get('empty.example')).toBeUndefined();
    expect(await get('quay.io')).toBeUndefined();
  });

  test("kaniko's /kaniko/.docker/config.json counts when ~/.docker has none and DOCKER_CONFIG is unset", () => {
    const home = join(dir, 'home-k');
    const kaniko = join(dir, 'kaniko-config.json');
    expect(dockerConfigPath({ env: {}, homeDir: home, kanikoConfig: kaniko })).toBe(
      join(home, '.docker/config.json'),
    );
    writeFileSync(kaniko, '{}');
    expect(dockerConfigPath({ env: {}, homeDir: home, kanikoConfig: kaniko })).toBe(kaniko);
    expect(dockerConfigPath({ env: { DOCKER_CONFIG: '/x' }, homeDir: home, kanikoConfig: kaniko })).toBe(
      '/x/config.json',
    );
    mkdirSync(join(home, '.docker'), { recursive: true });
    writeFileSync(join(home, '.docker/config.json'), '{}');
    expect(dockerConfigPath({ env: {}, homeDir: home, kanikoConfig: kaniko })).toBe(
      join(home, '.docker/config.json'),
    );
  });

  test('DOCKER_CONFIG, then ~/.docker; a missing file is anonymous; bad JSON is an error naming the file', async () => {
    expect(dockerConfigPath({ env: { DOCKER_CONFIG: '/x' } })).toBe('/x/config.json');
    expect(dockerConfigPath({ env: {}, homeDir: '/home/u' })).toBe('/home/u/.docker/config.json');
    expect(dockerConfigPath({ configPath: '/c.json', env: { DOCKER_CONFIG: '/x' } })).toBe('/c.json');
    expect(await dockerConfigCredentials({ configPath: join(dir, 'nope.json') })('ghcr.io')).toBeUndefined();
    writeFileSync(join(dir, 'bad.json'), '{');
    await expect(dockerConfigCredentials({ configPath: join(dir, 'bad.json') })('ghcr.io')).rejects.toThrow(
      /bad\.json is not valid JSON/,
    );
  });

  test('credHelpers and credsStore run docker-credential-<name> get with a clean environment', async () => {
    const p = config('helpers.json', {
      credHelpers: {
        'helper.example': 'kilntest',
        'tokenhost.example': 'kilntest',
        'broken.example': 'kilntest',
      },
      auths: { 'fallback.example': { auth: b64('f:g') } },
    });
    const get = dockerConfigCredentials({ configPath: p, env: env() });
    expect(await get('helper.example')).toEqual({ kind: 'basic', username: 'hu', password: 'hp' });
    expect(readFileSync(join(dir, 'helper-url.txt'), 'utf8').trim()).toBe('helper.example');
    const seen = readFileSync(join(dir, 'helper-env.txt'), 'utf8');
    expect(seen).toContain(`HOME=${dir}`);
    expect(seen).not.toContain('ghs_secret');
    expect(seen).not.toContain('INPUT_PASSWORD');
    expect(await get('tokenhost.example')).toEqual({ kind: 'identity-token', token: 'refresh-1' });
    expect(await get('fallback.example')).toEqual({ kind: 'basic', username: 'f', password: 'g' });
    await expect(get('broken.example')).rejects.toThrow(/docker-credential-kilntest exited with 3: boom/);

    const store = config('store.json', {
      credsStore: 'kilntest',
      auths: { 'other.example': { auth: b64('o:p') } },
    });
    const viaStore = dockerConfigCredentials({ configPath: store, env: env() });
    expect(await viaStore('docker.io')).toEqual({ kind: 'basic', username: 'hubuser', password: 'hubpass' });
    expect(readFileSync(join(dir, 'helper-url.txt'), 'utf8').trim()).toBe('https://index.docker.io/v1/');
    // "not found" from the store falls back to the auths entry.
    expect(await viaStore('other.example')).toEqual({ kind: 'basic', username: 'o', password: 'p' });
  });

  test('a helper that is not installed gives an error saying what to do', async () => {
    const p = config('missing.json', { credHelpers: { 'x.example': 'does-not-exist' } });
    const e = await dockerConfigCredentials({ configPath: p, env: env() })('x.example').catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as Error).message).toMatch(/docker-credential-does-not-exist is not on PATH/);
    expect((e as Error).message).toMatch(/Install docker-credential-does-not-exist/);
  });

  test('helper env keeps what helpers need and drops the rest', () => {
    expect(
      helperEnv({
        PATH: '/bin',
        AWS_PROFILE: 'p',
        GITHUB_TOKEN: 't',
        INPUT_PASSWORD: 'x',
        HTTPS_PROXY: 'h',
        FOO: 'f',
      }),
    ).toEqual({ PATH: '/bin', AWS_PROFILE: 'p', HTTPS_PROXY: 'h' });
  });

  test('static and chained providers; key normalisation', async () => {
    const s = staticCredentials({ 'https://ghcr.io': { kind: 'basic', username: 'a', password: 'b' } });
    const chained = chainCredentials(s, async (r) =>
      r === 'x.io' ? { kind: 'registry-token', token: 't' } : undefined,
    );
    expect(await chained('ghcr.io')).toEqual({ kind: 'basic', username: 'a', password: 'b' });
    expect(await chained('x.io')).toEqual({ kind: 'registry-token', token: 't' });
    expect(await chained('y.io')).toBeUndefined();
    expect(normaliseRegistryKey('https://registry-1.docker.io/v2/')).toBe('docker.io');
    expect(normaliseRegistryKey('HTTP://Host:5000')).toBe('host:5000');
  });
});
