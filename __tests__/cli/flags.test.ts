import { describe, expect, test } from '@jest/globals';
import { buildOptionsFromFlags } from '../../src/cli/build-flags.js';
import { BUILD_FLAGS } from '../../src/flags/executor-flags.js';
import { parseDuration, parseFlags, UsageError } from '../../src/flags/parser.js';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  buildOptionsFromFlags(parseFlags(argv, BUILD_FLAGS).values, env, '/work');

describe('kaniko-compatible build flags', () => {
  test.each([
    [['--context=/ctx', '--dockerfile', 'sub/Dockerfile', '-d', 'r/a:1'], '/ctx', '/ctx/sub/Dockerfile'],
    [['-c', 'app', '-f=Containerfile', '--destination=r/a:1'], '/work/app', '/work/app/Containerfile'],
    [['--context', '.', '-fX', '-d', 'r/a'], '/work', '/work/X'],
  ])('%j → context and dockerfile', (argv, context, dockerfile) => {
    const o = parse(argv);
    expect(o.context).toBe(context);
    expect(o.dockerfile).toBe(dockerfile);
  });

  test('repeatable destinations, build args (bare key from env), labels', () => {
    const o = parse(
      [
        '-d',
        'r/a:1',
        '--destination',
        'r/a:2',
        '--build-arg',
        'A=x y',
        '--build-arg',
        'B',
        '--build-arg',
        'C',
        '--label',
        'k=v=w',
      ],
      { B: 'from-env' },
    );
    expect(o.destinations).toEqual(['r/a:1', 'r/a:2']);
    expect([...o.buildArgs]).toEqual([
      ['A', 'x y'],
      ['B', 'from-env'],
    ]);
    expect([...o.labels]).toEqual([['k', 'v=w']]);
  });

  test('booleans take =false, durations parse like Go', () => {
    const o = parse(['--no-push', '--cache=true', '--cache-copy-layers=false', '--cache-ttl', '1h30m']);
    expect(o.push).toBe(false);
    expect(o.cache.enabled).toBe(true);
    expect(o.cache.copyLayers).toBe(false);
    expect(o.cache.ttlMs).toBe(90 * 60 * 1000);
    expect(parseDuration('168h')).toBe(168 * 3600 * 1000);
    expect(() => parseDuration('1y')).toThrow(/invalid duration "1y"/);
  });

  test('--insecure marks the destination registries as plain HTTP', () => {
    const o = parse(['--insecure', '-d', 'localhost:5000/a:1', '--insecure-registry', 'r.example']);
    expect(o.insecureRegistries).toEqual(['r.example', 'localhost:5000']);
  });

  test('--compression and --compression-level as kaniko takes them, checked per algorithm', () => {
    expect(parse(['--no-push']).compression).toBe('gzip');
    expect(parse(['--no-push']).compressionLevel).toBeUndefined();
    const z = parse(['--no-push', '--compression-level', '15', '--compression=zstd']);
    expect([z.compression, z.compressionLevel]).toEqual(['zstd', 15]);
    expect(parse(['--no-push', '--compression-level=1']).compressionLevel).toBe(1);
    expect(() => parse(['--no-push', '--compression', 'lz4'])).toThrow(
      new UsageError('--compression "lz4": expected one of gzip, zstd'),
    );
    expect(() => parse(['--no-push', '--compression-level', '15'])).toThrow(
      new UsageError('--compression-level 15: gzip takes 1 to 9'),
    );
    expect(() => parse(['--no-push', '--compression=zstd', '--compression-level', '0'])).toThrow(
      /zstd takes 1 to 19/,
    );
  });

  test("--secret, --ssh and --allow with buildx's syntax", () => {
    const o = parse(
      [
        '--no-push',
        '--secret',
        'id=npmrc,src=conf/.npmrc',
        '--secret=id=token,env=GH_TOKEN',
        '--secret',
        'type=env,id=t2,src=T2',
        '--secret',
        'id=FROM_ENV',
        '--secret',
        'id=plainfile',
        '--ssh',
        'default',
        '--ssh',
        'keys=k1,/abs/k2',
        '--allow',
        'security.insecure',
        '--cache-dir',
        'c',
      ],
      { FROM_ENV: 'x' },
    );
    expect(o.secrets).toEqual([
      { id: 'npmrc', file: '/work/conf/.npmrc' },
      { id: 'token', env: 'GH_TOKEN' },
      { id: 't2', env: 'T2' },
      { id: 'FROM_ENV', env: 'FROM_ENV' },
      { id: 'plainfile', file: '/work/plainfile' },
    ]);
    expect(o.ssh).toEqual([
      { id: 'default', paths: [] },
      { id: 'keys', paths: ['/work/k1', '/abs/k2'] },
    ]);
    expect(o.allow).toEqual(['security.insecure']);
    expect(o.network).toBe('default');
    expect(parse(['--no-push', '--network', 'host']).network).toBe('host');
    expect(o.cacheMounts).toEqual({ dir: '/work/c/cache-mounts' });
    // A later --secret with the same id wins.
    expect(parse(['--no-push', '--secret', 'id=a,src=x', '--secret', 'id=a,env=Y']).secrets).toEqual([
      { id: 'a', env: 'Y' },
    ]);
  });

  test.each([
    [['--secret', 'src=x'], '--secret "src=x": the secret needs an id (id=NAME)'],
    [['--secret', 'id=a,src=x,env=Y'], '--secret "id=a,src=x,env=Y": give src= or env=, not both'],
    [
      ['--secret', 'id=a,type=vault'],
      '--secret "id=a,type=vault": unsupported secret type "vault" (file or env)',
    ],
    [['--secret', 'id=a,from=x'], '--secret "id=a,from=x": unexpected key \'from\' (id, src, env, type)'],
    [['--secret', 'id=a,src'], '--secret "id=a,src": invalid field \'src\' must be a key=value pair'],
    [['--ssh', '=sock'], '--ssh "=sock": expected default|ID[=SOCKET|KEY[,KEY…]]'],
    [['--allow', 'network.none'], '--allow "network.none": expected one of security.insecure, network.host'],
    [['--network', 'bridge'], '--network "bridge": expected one of default, none, host'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parse(['--no-push', ...argv])).toThrow(new UsageError(message));
  });

  test("--context takes kaniko's dir:// and refuses its remote contexts by name", () => {
    expect(parse(['--no-push', '--context', 'dir:///srv/app']).context).toBe('/srv/app');
    expect(parse(['--no-push', '--context=dir://sub']).context).toBe('/work/sub');
    expect(parse(['--no-push', '--context', 'dir://', '-f', 'D']).dockerfile).toBe('/work/D');
    expect(() => parse(['--no-push', '--context', 's3://bucket/ctx.tar.gz'])).toThrow(
      /^--context ".*": s3:\/\/ contexts are not supported; Kiln builds from a local directory/,
    );
    // Git contexts are fetched before the flags are applied (cli.ts, the action); here they are refused.
    expect(() => parse(['--no-push', '--context', 'git://github.com/o/r.git#refs/heads/main'])).toThrow(
      /git contexts are fetched by the kiln command/,
    );
    // The CLI unpacks tar:// before parsing (context-archive.ts); anywhere else it is refused.
    expect(() => parse(['--no-push', '--context', 'tar://ctx.tar.gz'])).toThrow(
      /unpacked by the kiln command only/,
    );
  });

  test('SOURCE_DATE_EPOCH comes from the environment, else the build arg', () => {
    expect(parse(['--no-push'], { SOURCE_DATE_EPOCH: '1700000000' }).sourceDateEpoch).toBe(1700000000);
    expect(parse(['--no-push', '--build-arg', 'SOURCE_DATE_EPOCH=42']).sourceDateEpoch).toBe(42);
    expect(parse(['--no-push']).sourceDateEpoch).toBeUndefined();
    expect(() => parse(['--no-push'], { SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/expected whole seconds/);
  });

  test('--platform takes a comma list or repeats; --custom-platform is one platform; --push-by-digest', () => {
    expect(
      parse(['--no-push', '--platform', 'linux/amd64,linux/arm64', '--platform=linux/arm/v7']).platforms,
    ).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    const o = parse([
      '-d',
      'r/a',
      '--customPlatform',
      'linux/arm64',
      '--platform',
      'linux/arm64,linux/amd64',
      '--push-by-digest',
    ]);
    expect(o.platforms).toEqual(['linux/arm64', 'linux/amd64']);
    expect(o.pushByDigest).toBe(true);
    expect(parse(['--no-push']).platforms).toEqual([]);
    expect(() => parse(['--no-push', '--custom-platform', 'linux/amd64,linux/arm64'])).toThrow(
      /--custom-platform "linux\/amd64,linux\/arm64": kaniko's flag takes one platform; use --platform/,
    );
    expect(() => parse(['--no-push', '--platform', 'linux/amd64,linux/'])).toThrow(
      /--platform: invalid platform "linux\/": expected os\/arch/,
    );
  });

  test('unknown flags are named, all of them', () => {
    expect(() => parseFlags(['--bogus', '-d', 'x', '--nope=1'], BUILD_FLAGS)).toThrow(
      new UsageError('unknown flags "--bogus", "--nope" (see kiln build --help)'),
    );
  });

  test("kaniko's in-place flags: --force, --ignore-path (absolute, from /), --cleanup", () => {
    const o = parse([
      '--no-push',
      '--isolation',
      'in-place',
      '--force',
      '--ignore-path',
      '/cache',
      '--ignore-path=var/spool/',
      '--cleanup',
    ]);
    expect(o.isolation).toBe('in-place');
    expect(o.force).toBe(true);
    expect(o.ignorePaths).toEqual(['/cache', '/var/spool']);
    expect(o.cleanup).toBe(true);
    expect(parse(['--no-push'])).toMatchObject({ force: false, ignorePaths: [], cleanup: false });
  });

  test('ignored kaniko flags warn and do not fail', () => {
    const p = parseFlags(['--ignore-var-run', '--use-new-run', '--no-push'], BUILD_FLAGS);
    expect(p.warnings).toHaveLength(2);
    expect(p.warnings[0]).toMatch(/--ignore-var-run.*ignored/);
  });

  test.each([
    [['-d'], /flag -d needs a value/],
    [
      ['--no-push', '--isolation', 'docker'],
      /--isolation "docker": expected one of auto, chroot, rootless, in-place, none/,
    ],
    [['--no-push', '--cache=maybe'], /"maybe" is not a boolean/],
    [['--no-push', '--push-retry', 'x'], /"x" is not an integer/],
    [[], /no --destination given/],
    [['--no-push', '--label', 'novalue'], /--label "novalue": expected KEY=value/],
  ])('%j is rejected', (argv, message) => {
    expect(() => parse(argv)).toThrow(message);
  });
});
