/**
 * kaniko's executor flag table: every flag of kaniko's `executor --help`
 * (v1.23, the last release) is there, implemented, accepted with no effect
 * because Kiln already does what it asks, or refused with why — on the CLI
 * and in the action's extra_args alike.
 */
import { describe, expect, test } from '@jest/globals';
import { buildOptionsFromFlags } from '../../src/cli/build-flags.js';
import { BUILD_FLAGS } from '../../src/flags/executor-flags.js';
import { formatFlagHelp, parseFlags, UsageError } from '../../src/flags/parser.js';

/** `executor --help` of kaniko v1.23 (cmd/executor/cmd/root.go), deprecated spellings included. */
const KANIKO_FLAGS = [
  'build-arg',
  'bucket',
  'cache',
  'cache-copy-layers',
  'cache-dir',
  'cache-repo',
  'cache-run-layers',
  'cache-ttl',
  'cleanup',
  'compressed-caching',
  'compression',
  'compression-level',
  'context',
  'context-sub-path',
  'custom-platform',
  'customPlatform',
  'destination',
  'digest-file',
  'dockerfile',
  'force',
  'force-build-metadata',
  'git',
  'help',
  'ignore-path',
  'ignore-var-run',
  'image-download-retry',
  'image-fs-extract-retry',
  'image-name-tag-with-digest-file',
  'image-name-with-digest-file',
  'insecure',
  'insecure-pull',
  'insecure-registry',
  'kaniko-dir',
  'label',
  'log-format',
  'log-timestamp',
  'no-push',
  'no-push-cache',
  'oci-layout-path',
  'push-ignore-immutable-tag-errors',
  'push-retry',
  'registry-certificate',
  'registry-client-cert',
  'registry-map',
  'registry-mirror',
  'reproducible',
  'single-snapshot',
  'skip-default-registry-fallback',
  'skip-push-permission-check',
  'skip-tls-verify',
  'skip-tls-verify-pull',
  'skip-tls-verify-registry',
  'skip-unused-stages',
  'snapshot-mode',
  'snapshotMode',
  'tar-path',
  'tarPath',
  'target',
  'use-new-run',
  'verbosity',
  'whitelist-var-run',
];

const parse = (argv: string[]) => buildOptionsFromFlags(parseFlags(argv, BUILD_FLAGS).values, {}, '/work');

describe('the executor flag table', () => {
  test('holds every kaniko flag; every ignored or refused one says why', () => {
    const names = new Set(BUILD_FLAGS.flatMap((f) => [f.name, ...(f.aliases ?? [])]));
    expect(KANIKO_FLAGS.filter((f) => !names.has(f))).toEqual([]);
    for (const f of BUILD_FLAGS) {
      expect([f.name, (f.help ?? f.ignored ?? f.refused ?? '').length > 10]).toEqual([f.name, true]);
      expect([f.name, f.ignored !== undefined && f.refused !== undefined]).toEqual([f.name, false]);
    }
  });

  test('refused flags fail by name with the reason, whatever their value', () => {
    for (const f of BUILD_FLAGS.filter((x) => x.refused)) {
      const argv = f.kind === 'bool' ? [`--${f.name}`] : [`--${f.name}`, 'x'];
      expect(() => parseFlags(argv, BUILD_FLAGS)).toThrow(
        new UsageError(`flag --${f.name} is not supported: ${f.refused}`),
      );
    }
  });

  test('help lists the implemented flags, then the accepted ones, then the refused ones', () => {
    const help = formatFlagHelp(BUILD_FLAGS);
    const accepted = help.indexOf('Accepted for kaniko compatibility, no effect:');
    const refused = help.indexOf('kaniko flags Kiln refuses:');
    expect(accepted).toBeGreaterThan(help.indexOf('--destination'));
    expect(refused).toBeGreaterThan(accepted);
    expect(help.indexOf('--registry-mirror')).toBeGreaterThan(refused);
  });

  test('--context-sub-path: a directory inside the context, where the default Dockerfile is', () => {
    const o = parse(['-c', 'repo', '--context-sub-path', 'app', '--no-push']);
    expect([o.context, o.dockerfile]).toEqual(['/work/repo/app', '/work/repo/app/Dockerfile']);
    const f = parse(['-c', 'repo', '--context-sub-path=app', '-f', 'Containerfile', '--no-push']);
    expect(f.dockerfile).toBe('/work/repo/app/Containerfile');
    expect(() => parse(['--context-sub-path', '../x', '--no-push'])).toThrow(/inside the context/);
  });

  test('--image-name-tag-with-digest-file, --skip-push-permission-check, --no-push-cache', () => {
    const o = parse([
      '-d',
      'r/a:1',
      '--image-name-tag-with-digest-file=out/itd',
      '--skip-push-permission-check',
      '--cache',
      '--no-push-cache',
    ]);
    expect(o.imageNameTagWithDigestFile).toBe('/work/out/itd');
    expect(o.skipPushPermissionCheck).toBe(true);
    expect(o.cache.mode).toBe('read-only');
    expect(() => parse(['-d', 'r/a', '--cache-repo', 'oci:/x'])).toThrow(
      /OCI layout caches are not supported/,
    );
  });

  test('--whitelist-var-run is the old name of the ignored --ignore-var-run', () => {
    const p = parseFlags(['--whitelist-var-run=false'], BUILD_FLAGS);
    expect(p.warnings[0]).toMatch(/--ignore-var-run is accepted for kaniko compatibility and ignored/);
  });
});
