import { describe, expect, test } from '@jest/globals';
import { applyExtraArgs, extraVerbosity, parseExtraArgs } from '../../src/action/extra-args.js';
import { splitShellWords } from '../../src/action/shell-words.js';
import { buildOptionsFromFlags } from '../../src/cli/build-flags.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import { BUILD_FLAGS } from '../../src/flags/executor-flags.js';
import { parseFlags } from '../../src/flags/parser.js';

describe('extra_args', () => {
  test('the same flags mean the same as on the kiln build command line', () => {
    const text =
      '-c app -f=Containerfile -d r.example/a:1 --destination "r.example/a:two" --build-arg "MSG=hi there" ' +
      "--label 'k=v w' --cache --cache-repo r.example/cache --cache-ttl=1h --target t --tarPath out.tar " +
      '--customPlatform linux/arm64 --snapshotMode=redo --reproducible --push-retry=2 --insecure-registry r.example';
    const fromCli = buildOptionsFromFlags(parseFlags(splitShellWords(text), BUILD_FLAGS).values, {}, '/ws');
    const fromAction = applyExtraArgs(
      defaultBuildOptions('/ws', '/ws/Dockerfile'),
      parseExtraArgs(text, {}),
      '/ws',
    );
    // The CLI's default snapshot store is its own (the action's is in the runner's tool cache).
    expect(fromAction).toEqual({ ...fromCli, store: undefined });
    expect(fromAction.dockerfile).toBe('/ws/app/Containerfile');
    expect(fromAction.tarPath).toBe('/ws/out.tar');
    expect(fromAction.platforms).toEqual(['linux/arm64']);
  });

  test('the options it is applied to are not changed', () => {
    const base = defaultBuildOptions('/ws', '/ws/Dockerfile');
    base.destinations.push('r/a:1');
    base.buildArgs.set('A', '1');
    const snapshot = structuredClone(base);
    const out = applyExtraArgs(base, parseExtraArgs('-d r/a:2 --build-arg A=2 --no-push', {}), '/ws');
    expect(base).toEqual(snapshot);
    expect(out.destinations).toEqual(['r/a:1', 'r/a:2']);
    expect(out.buildArgs.get('A')).toBe('2');
    expect(out.push).toBe(false);
  });

  test('words, verbosity and warnings; $NAME and {NAME} forms expand from the environment, single quotes keep them', () => {
    const env = { VERSION: '1.2 beta', REG: 'r.example' };
    const extra = parseExtraArgs(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, expanded by extra_args
      '--verbosity=debug --use-new-run --label "v=$VERSION" --label \'raw=$VERSION\' -d ${REG}/a:$UNSET1 $UNSET2',
      env,
    );
    expect(extra.words).toEqual([
      '--verbosity=debug',
      '--use-new-run',
      '--label',
      'v=1.2 beta',
      '--label',
      'raw=$VERSION',
      '-d',
      'r.example/a:',
    ]);
    expect(extraVerbosity(extra)).toBe('debug');
    expect(extra.warnings).toHaveLength(3);
    expect(extra.warnings[0]).toMatch(/--use-new-run is accepted for kaniko compatibility/);
    expect(extra.warnings.slice(1)).toEqual([
      'extra_args: $UNSET1 is not set in the environment: it expanded to nothing',
      'extra_args: $UNSET2 is not set in the environment: it expanded to nothing',
    ]);
    expect(extraVerbosity(parseExtraArgs('', {}))).toBeUndefined();
  });

  test('no command substitution, no default values', () => {
    expect(() => parseExtraArgs('--label "a=$(id)"', {})).toThrow(/command substitution \(\$\(…\)\)/);
    expect(() => parseExtraArgs('--label a=`id`', {})).toThrow(/command substitution/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text
    expect(() => parseExtraArgs('--label a=${X:-y}', {})).toThrow(/only \$\{NAME\} expands/);
    expect(parseExtraArgs("--label 'a=$(id)'", {}).values.get('label')).toEqual(['a=$(id)']);
  });

  test('kaniko flags Kiln does not implement are refused by name, with why', () => {
    expect(() => parseExtraArgs('--registry-mirror mirror.gcr.io', {})).toThrow(
      /flag --registry-mirror is not supported: registry mirrors are not supported yet/,
    );
    expect(() => parseExtraArgs('--single-snapshot', {})).toThrow(/flag --single-snapshot is not supported/);
    // In-place builds (the Kiln image) take it: paths they leave alone.
    expect(parseExtraArgs('--ignore-path=/var/cache', {}).values.get('ignore-path')).toEqual(['/var/cache']);
  });
});
