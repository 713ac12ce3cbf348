import { describe, expect, test } from '@jest/globals';
import { looksLikeGithubToken } from '../../src/action/build-options.js';
import { githubCtx, plan, RUNNER_TEMP, SHA, TOKEN } from './helpers.js';

const S = SHA.slice(0, 7);
const WS = '/home/runner/work/action-kaniko/action-kaniko';
const DH = { username: 'dhuser', password: 'dckr_pat_secret' };
const GL = { username: 'gluser', password: 'glpat-secret' };

/**
 * Every `with:` block of aevea/action-kaniko's README (both its Docker Hub
 * era and its ghcr.io era, and the docker.pkg.github.com one), run in
 * aevea/action-kaniko's own repository. Kiln's default registry is ghcr.io
 * where aevea's was docker.io, so the Docker Hub examples add
 * `registry: docker.io`; aevea's default tag was the branch name, Kiln's is
 * the short SHA.
 */
describe("aevea/action-kaniko's README examples", () => {
  test.each<[string, Record<string, string>, Record<string, string>, object]>([
    [
      'example pipeline (Docker Hub, cache repository)',
      { image: 'aevea/kaniko', ...DH, cache: 'true', cache_registry: 'aevea/cache', registry: 'docker.io' },
      {},
      {
        refs: [`docker.io/aevea/kaniko:${S}`],
        cacheRepo: 'docker.io/aevea/cache',
        creds: { host: 'docker.io', ...DH },
      },
    ],
    [
      'docker.io',
      { image: 'aevea/kaniko', ...DH, registry: 'docker.io' },
      {},
      { refs: [`docker.io/aevea/kaniko:${S}`], cacheRepo: undefined, creds: { host: 'docker.io', ...DH } },
    ],
    [
      'ohioit fork example',
      {
        image: 'ohioit/action-kaniko',
        ...DH,
        cache: 'true',
        cache_registry: 'aevea/cache',
        registry: 'docker.io',
      },
      {},
      {
        refs: [`docker.io/ohioit/action-kaniko:${S}`],
        cacheRepo: 'docker.io/aevea/cache',
        creds: { host: 'docker.io', ...DH },
      },
    ],
    [
      'ghcr.io',
      { registry: 'ghcr.io', password: TOKEN, image: 'kaniko' },
      {},
      {
        refs: [`ghcr.io/aevea/action-kaniko/kaniko:${S}`],
        cacheRepo: undefined,
        creds: { host: 'ghcr.io', username: 'octocat', password: TOKEN },
      },
    ],
    [
      'ghcr.io with cache',
      { registry: 'ghcr.io', password: TOKEN, image: 'kaniko', cache: 'true', cache_registry: 'cache' },
      {},
      {
        refs: [`ghcr.io/aevea/action-kaniko/kaniko:${S}`],
        cacheRepo: 'ghcr.io/aevea/action-kaniko/cache',
        creds: { host: 'ghcr.io', username: 'octocat', password: TOKEN },
      },
    ],
    [
      'docker.pkg.github.com',
      { registry: 'docker.pkg.github.com', password: TOKEN, image: 'kaniko' },
      {},
      {
        refs: [`docker.pkg.github.com/aevea/action-kaniko/kaniko:${S}`],
        cacheRepo: undefined,
        creds: { host: 'docker.pkg.github.com', username: 'octocat', password: TOKEN },
      },
    ],
    [
      'docker.pkg.github.com with cache',
      {
        registry: 'docker.pkg.github.com',
        password: TOKEN,
        image: 'kaniko',
        cache: 'true',
        cache_registry: 'cache',
      },
      {},
      {
        refs: [`docker.pkg.github.com/aevea/action-kaniko/kaniko:${S}`],
        cacheRepo: 'docker.pkg.github.com/aevea/action-kaniko/cache',
        creds: { host: 'docker.pkg.github.com', username: 'octocat', password: TOKEN },
      },
    ],
    [
      'registry.gitlab.com',
      { registry: 'registry.gitlab.com', ...GL, image: 'aevea/kaniko' },
      {},
      {
        refs: [`registry.gitlab.com/aevea/kaniko:${S}`],
        cacheRepo: undefined,
        creds: { host: 'registry.gitlab.com', ...GL },
      },
    ],
    [
      'registry.gitlab.com with cache (kaniko infers <image>/cache)',
      { registry: 'registry.gitlab.com', ...GL, image: 'aevea/kaniko', cache: 'true' },
      {},
      {
        refs: [`registry.gitlab.com/aevea/kaniko:${S}`],
        cacheRepo: 'registry.gitlab.com/aevea/kaniko/cache',
        creds: { host: 'registry.gitlab.com', ...GL },
      },
    ],
    [
      'strip_tag_prefix: git tag pre-0.1 pushes kaniko:0.1',
      { registry: 'ghcr.io', password: TOKEN, image: 'kaniko', strip_tag_prefix: 'pre-' },
      { GITHUB_REF: 'refs/tags/pre-0.1', GITHUB_REF_NAME: 'pre-0.1', GITHUB_REF_TYPE: 'tag' },
      {
        refs: [`ghcr.io/aevea/action-kaniko/kaniko:0.1`, `ghcr.io/aevea/action-kaniko/kaniko:${S}`],
        cacheRepo: undefined,
        creds: { host: 'ghcr.io', username: 'octocat', password: TOKEN },
      },
    ],
    [
      'strip_tag_prefix on docker.pkg.github.com',
      { registry: 'docker.pkg.github.com', password: TOKEN, image: 'kaniko', strip_tag_prefix: 'pre-' },
      { GITHUB_REF: 'refs/tags/pre-0.1', GITHUB_REF_NAME: 'pre-0.1', GITHUB_REF_TYPE: 'tag' },
      {
        refs: [
          'docker.pkg.github.com/aevea/action-kaniko/kaniko:0.1',
          `docker.pkg.github.com/aevea/action-kaniko/kaniko:${S}`,
        ],
        cacheRepo: undefined,
        creds: { host: 'docker.pkg.github.com', username: 'octocat', password: TOKEN },
      },
    ],
  ])('%s', (_name, given, env, want) => {
    const { options, action } = plan(given, githubCtx(env));
    expect({ refs: action.references, cacheRepo: options.cache.repo, creds: action.credentials }).toEqual(
      want,
    );
    expect(options.cache.enabled).toBe(given.cache === 'true');
    expect(options.context).toBe(WS);
    expect(options.dockerfile).toBe(`${WS}/Dockerfile`);
    expect(options.push).toBe(true);
    // aevea ran kaniko with --reproducible.
    expect(options.reproducible).toBe(true);
  });
});

describe('defaults of an empty with: block', () => {
  test('push to ghcr.io as the actor with the workflow token, OCI labels, no cache', () => {
    const { options, action, inputs } = plan({ image: 'app' });
    expect(options.destinations).toEqual([`ghcr.io/aevea/action-kaniko/app:${S}`]);
    expect(action.credentials).toEqual({ host: 'ghcr.io', username: 'octocat', password: TOKEN });
    expect(options.cache.enabled).toBe(false);
    expect(action.cacheBackend).toBe('off');
    expect(options.isolation).toBe('auto');
    expect(options.buildArgs.size).toBe(0);
    expect(options.target).toBeUndefined();
    expect(action.debug).toBe(false);
    expect(options.skipUnchanged).toBeUndefined();
    expect(inputs.shaLength).toBe(7);
    expect(action.warnings).toEqual([]);
    expect([...options.labels.keys()].sort()).toEqual([
      'org.opencontainers.image.revision',
      'org.opencontainers.image.source',
      'org.opencontainers.image.title',
      'org.opencontainers.image.url',
    ]);
  });
});

describe('paths: path/context, build_file/file', () => {
  test.each<[Record<string, string>, string, string]>([
    [{}, WS, `${WS}/Dockerfile`],
    [{ path: 'svc' }, `${WS}/svc`, `${WS}/svc/Dockerfile`],
    [{ path: 'svc', build_file: 'Dockerfile.prod' }, `${WS}/svc`, `${WS}/svc/Dockerfile.prod`],
    [{ context: 'svc' }, `${WS}/svc`, `${WS}/svc/Dockerfile`],
    [{ context: 'svc', file: 'docker/Dockerfile' }, `${WS}/svc`, `${WS}/docker/Dockerfile`],
    [{ path: 'svc', context: 'svc' }, `${WS}/svc`, `${WS}/svc/Dockerfile`],
    [{ path: '/abs/ctx' }, '/abs/ctx', '/abs/ctx/Dockerfile'],
    [
      { path: 'svc', build_file: 'x/Dockerfile', file: 'svc/x/Dockerfile' },
      `${WS}/svc`,
      `${WS}/svc/x/Dockerfile`,
    ],
  ])('%j', (given, context, dockerfile) => {
    const { options } = plan({ image: 'app', ...given });
    expect(options.context).toBe(context);
    expect(options.dockerfile).toBe(dockerfile);
  });

  test.each([
    [{ path: 'a', context: 'b' }, /input "context": "b" conflicts with path "a"/],
    [{ build_file: 'A', file: 'B' }, /input "file": "B" conflicts with build_file "A"/],
  ])('%j conflicts', (given, message) => {
    expect(() => plan({ image: 'app', ...given })).toThrow(message);
  });
});

describe('cache backends', () => {
  test.each<[Record<string, string>, object]>([
    [
      { cache: 'true' },
      { backend: 'registry', repo: 'ghcr.io/aevea/action-kaniko/app/cache', dir: undefined },
    ],
    [
      { cache: 'true', cache_registry: 'ghcr.io/aevea/caches' },
      { backend: 'registry', repo: 'ghcr.io/aevea/caches', dir: undefined },
    ],
    [
      { cache: 'true', cache_directory: '.cache/kiln' },
      { backend: 'local', repo: undefined, dir: `${WS}/.cache/kiln` },
    ],
    [
      { cache: 'true', cache_backend: 'local' },
      { backend: 'local', repo: undefined, dir: `${RUNNER_TEMP}/kiln-cache` },
    ],
    [
      { cache: 'true', cache_backend: 'gha' },
      { backend: 'gha', repo: undefined, dir: `${RUNNER_TEMP}/kiln-gha-cache` },
    ],
    [
      { cache: 'true', cache_backend: 'registry', cache_directory: 'd' },
      { backend: 'registry', repo: 'ghcr.io/aevea/action-kaniko/app/cache', dir: `${WS}/d` },
    ],
    [
      { cache: 'false', cache_backend: 'gha' },
      { backend: 'off', repo: undefined, dir: undefined },
    ],
  ])('%j', (given, want) => {
    const { options, action } = plan({ image: 'app', ...given });
    expect({ backend: action.cacheBackend, repo: options.cache.repo, dir: options.cache.dir }).toEqual(want);
  });

  test('--cache in extra_args gets the default cache repository too', () => {
    const { options } = plan({ image: 'app', extra_args: '--cache=true' });
    expect(options.cache).toMatchObject({ enabled: true, repo: 'ghcr.io/aevea/action-kaniko/app/cache' });
    const local = plan({ image: 'app', cache_directory: 'c', extra_args: '--cache' });
    expect(local.options.cache).toMatchObject({ enabled: true, dir: `${WS}/c` });
    expect(local.options.cache.repo).toBeUndefined();
    expect(local.action.cacheBackend).toBe('local');
    const off = plan({ image: 'app', cache: 'true', extra_args: '--cache=false' });
    expect([off.options.cache.enabled, off.action.cacheBackend]).toEqual([false, 'off']);
  });

  test('the snapshot store lives in the runner tool cache; extra_args can move or drop it', () => {
    const tools = githubCtx({ RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' });
    expect(plan({ image: 'app' }, tools).options.store).toEqual({
      dir: '/opt/hostedtoolcache/kiln/store',
      maxBytes: 5 * 1024 ** 3,
    });
    expect(plan({ image: 'app', extra_args: '--store-max 1G' }, tools).options.store?.maxBytes).toBe(
      1024 ** 3,
    );
    expect(plan({ image: 'app', extra_args: '--store /srv/s' }, tools).options.store?.dir).toBe('/srv/s');
    expect(plan({ image: 'app', extra_args: '--no-store' }, tools).options.store).toBeUndefined();
    // No tool cache (nothing would keep the store between jobs): none.
    expect(plan({ image: 'app' }).options.store).toBeUndefined();
  });

  test('cache_ttl is a Go duration', () => {
    expect(plan({ image: 'app', cache: 'true', cache_ttl: '6h30m' }).options.cache.ttlMs).toBe(
      6.5 * 3600_000,
    );
    expect(() => plan({ image: 'app', cache_ttl: 'a week' })).toThrow(
      /input "cache_ttl": invalid duration "a week"/,
    );
  });

  test('gha keys: per Dockerfile and target, by commit, restoring any earlier commit', () => {
    const a = plan({ image: 'app', cache: 'true', cache_backend: 'gha' }).action.ghaCache!;
    const b = plan({ image: 'app', cache: 'true', cache_backend: 'gha', target: 'test' }).action.ghaCache!;
    expect(a.key).toMatch(new RegExp(`^kiln-[0-9a-f]{12}-${SHA}$`));
    expect(a.restoreKeys).toEqual([a.key.slice(0, -SHA.length)]);
    expect(b.restoreKeys[0]).not.toBe(a.restoreKeys[0]);
  });

  test('Docker Hub without cache_registry is warned about', () => {
    const { action } = plan({ image: 'u/app', registry: 'docker.io', ...DH, cache: 'true' });
    expect(action.warnings.join('\n')).toMatch(
      /Docker Hub allows no nested repositories.*set cache_registry/,
    );
  });

  test('cache_registry with a tag is refused', () => {
    expect(() => plan({ image: 'app', cache: 'true', cache_registry: 'cache:1' })).toThrow(
      /input "cache_registry": "cache:1" holds a tag/,
    );
  });

  test('cache settings without cache: true are warned about', () => {
    expect(plan({ image: 'app', cache_registry: 'c' }).action.warnings.join()).toMatch(
      /no effect unless cache is true/,
    );
  });
});

describe('credentials', () => {
  test('the workflow token is never sent to a registry outside GitHub', () => {
    const { action } = plan({ image: 'u/app', registry: 'docker.io' });
    expect(action.credentials).toBeUndefined();
    expect(action.warnings.join('\n')).toMatch(
      /password is a GitHub token and docker.io is not a GitHub registry/,
    );
  });

  test('a GHES container registry gets the token', () => {
    const github = githubCtx({ GITHUB_SERVER_URL: 'https://github.example.com' });
    const { action } = plan({ image: 'app', registry: 'containers.github.example.com' }, github);
    expect(action.credentials?.host).toBe('containers.github.example.com');
  });

  test('no password: anonymous', () => {
    expect(plan({ image: 'app', password: '' }).action.credentials).toBeUndefined();
  });

  test('a push outside the credentials registry is warned about', () => {
    const { action } = plan({ image: 'registry.example.com/team/app', ...DH });
    expect(action.credentials?.host).toBe('ghcr.io');
    expect(action.warnings.join('\n')).toMatch(
      /credentials are for ghcr.io only; pushes to registry.example.com/,
    );
  });

  test('a password without any username is refused', () => {
    expect(() => plan({ image: 'app', username: '' }, githubCtx({ GITHUB_ACTOR: '' }))).toThrow(
      /input "username": is empty while a password is set/,
    );
  });

  test.each([
    ['ghs_abcDEF123', true],
    ['ghp_abcDEF123', true],
    ['github_pat_11ABC_def', true],
    ['dckr_pat_abc', false],
    ['hunter2', false],
  ])('looksLikeGithubToken(%j) = %j', (p, want) => {
    expect(looksLikeGithubToken(p)).toBe(want);
  });
});

describe('build_args, labels, target, push, isolation, debug', () => {
  test('build_args: one per line, values keep spaces, commas and =', () => {
    const { options } = plan({ image: 'app', build_args: 'A=1\n  B = x, y=z \n\nC=' });
    expect([...options.buildArgs]).toEqual([
      ['A', '1'],
      ['B', ' x, y=z'],
      ['C', ''],
    ]);
  });

  test('build_args: a bare key is refused (the runner environment stays out)', () => {
    expect(() => plan({ image: 'app', build_args: 'HOME' })).toThrow(
      /input "build_args": "HOME": expected KEY=value/,
    );
  });

  test('labels override the defaults; KEY= removes one', () => {
    const { options } = plan({
      image: 'app',
      labels: 'org.opencontainers.image.title=Custom, team=core\norg.opencontainers.image.url=\nnote=a, b',
    });
    expect(options.labels.get('org.opencontainers.image.title')).toBe('Custom');
    expect(options.labels.get('team')).toBe('core');
    expect(options.labels.get('note')).toBe('a, b');
    expect(options.labels.has('org.opencontainers.image.url')).toBe(false);
    expect(options.labels.get('org.opencontainers.image.source')).toBe(
      'https://github.com/aevea/action-kaniko',
    );
  });

  test.each([
    [{ push: 'false' }, 'push', false],
    [{ push: 'FALSE' }, 'push', false],
    [{ push: 'True' }, 'push', true],
    [{ target: 'build-env' }, 'target', 'build-env'],
    [{ isolation: 'rootless' }, 'isolation', 'rootless'],
    [{ isolation: 'CHROOT' }, 'isolation', 'chroot'],
  ])('%j', (given, key, value) => {
    expect(plan({ image: 'app', ...given }).options[key as 'push']).toBe(value);
  });

  test.each([
    [{ push: 'nope' }, /input "push": "nope" is not a boolean; write true or false/],
    [{ isolation: 'docker' }, /input "isolation": "docker" is not one of auto, chroot, rootless, none/],
    [{ target: 'a b' }, /input "target": "a b" is not a stage name/],
    [{ sha_length: '3' }, /input "sha_length": "3" is not a whole number from 4 to 64/],
    [{ labels: '=x' }, /input "labels": "=x": the key before "=" is empty/],
  ])('%j rejected', (given, message) => {
    expect(() => plan({ image: 'app', ...given })).toThrow(message);
  });

  test('debug', () => {
    expect(plan({ image: 'app', debug: 'true' }).action.debug).toBe(true);
  });

  test('skip_unchanged_digest with push: false is warned about', () => {
    const { action, options } = plan({ image: 'app', skip_unchanged_digest: 'true', push: 'false' });
    expect(options.skipUnchanged).toEqual({
      ignoreLabels: ['org.opencontainers.image.revision', 'org.opencontainers.image.created'],
    });
    expect(action.warnings.join()).toMatch(/skip_unchanged_digest has no effect when push is false/);
  });
});

describe('extra_args merged onto the inputs', () => {
  test('kaniko flags: list flags add, scalar flags replace, paths resolve in the workspace', () => {
    const { options, action } = plan({
      image: 'app',
      build_args: 'A=1',
      labels: 'team=core',
      target: 'prod',
      extra_args:
        '--build-arg "MSG=hello world" --build-arg A=2 --label \'x=a b\' --target=test ' +
        '--destination ghcr.io/aevea/extra:1 --cache=true --cache-ttl 2h --snapshotMode=redo ' +
        '--tarPath out/image.tar --digest-file=digest.txt --push-retry 3 --skip-tls-verify-registry r.local -v debug ' +
        '--compression zstd --compression-level=9',
    });
    expect([...options.buildArgs]).toEqual([
      ['A', '2'],
      ['MSG', 'hello world'],
    ]);
    expect(options.labels.get('team')).toBe('core');
    expect(options.labels.get('x')).toBe('a b');
    expect(options.target).toBe('test');
    expect(options.destinations).toEqual([`ghcr.io/aevea/action-kaniko/app:${S}`, 'ghcr.io/aevea/extra:1']);
    expect(action.references).toEqual(options.destinations);
    expect(options.cache.enabled).toBe(true);
    expect(options.cache.ttlMs).toBe(2 * 3600_000);
    expect(options.snapshotMode).toBe('auto');
    expect(options.tarPath).toBe(`${WS}/out/image.tar`);
    expect(options.digestFile).toBe(`${WS}/digest.txt`);
    expect(options.pushRetry).toBe(3);
    expect(options.skipTlsVerifyRegistries).toEqual(['r.local']);
    expect([options.compression, options.compressionLevel]).toEqual(['zstd', 9]);
    expect(action.debug).toBe(true);
  });

  test('--no-push, --reproducible=false (then created is the build time), --insecure', () => {
    const { options } = plan({
      image: 'app',
      registry: 'localhost:5000',
      password: '',
      extra_args: '--no-push --reproducible=false --insecure',
    });
    expect(options.push).toBe(false);
    expect(options.reproducible).toBe(false);
    expect(options.labels.get('org.opencontainers.image.created')).toBe('2025-03-04T05:06:07Z');
    expect(options.insecureRegistries).toEqual(['localhost:5000']);
  });

  test('--context and --dockerfile override path and build_file', () => {
    const { options } = plan({
      image: 'app',
      path: 'a',
      extra_args: '--context b --dockerfile=Containerfile',
    });
    expect(options.context).toBe(`${WS}/b`);
    expect(options.dockerfile).toBe(`${WS}/b/Containerfile`);
  });

  test.each([
    ['--bogus', /input "extra_args": unknown flag "--bogus"/],
    ['--build-arg "unterminated', /input "extra_args": unterminated double quote at character 13/],
    ['build', /input "extra_args": unexpected argument "build"/],
    ['--build-arg HOME', /input "extra_args": --build-arg "HOME": expected KEY=value/],
    ['--destination "bad ref"', /input "extra_args": invalid image reference "bad ref"/],
    ['--help', /input "extra_args": --help is not accepted here/],
    ['--isolation docker', /input "extra_args": --isolation "docker": expected one of/],
    ['--cache=maybe', /input "extra_args": flag --cache: "maybe" is not a boolean/],
  ])('%j rejected', (extra, message) => {
    expect(() => plan({ image: 'app', extra_args: extra })).toThrow(message);
  });

  test('ignored kaniko flags and unset $VARs are warnings, not errors', () => {
    const { action } = plan({
      image: 'app',
      extra_args: '--use-new-run --compressed-caching --build-arg T=$TOKEN',
    });
    const w = action.warnings.join('\n');
    expect(w).toMatch(/--use-new-run is accepted for kaniko compatibility and ignored/);
    expect(w).toMatch(/--compressed-caching is accepted/);
    expect(w).toMatch(/\$TOKEN is not set in the environment/);
  });
});
