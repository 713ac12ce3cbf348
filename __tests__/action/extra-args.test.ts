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
      parseExtraArgs(text),
      '/ws',
    );
    // The CLI's default snapshot store is its own (the action's is in the runner's tool cache).
    expect(fromAction).toEqual({ ...fromCli, store: undefined });
    expect(fromAction.dockerfile).toBe('/ws/app/Containerfile');
    expect(fromAction.tarPath).toBe('/ws/out.tar');
    expect(fromAction.platform).toBe('linux/arm64');
  });

  test('the options it is applied to are not changed', () => {
    const base = defaultBuildOptions('/ws', '/ws/Dockerfile');
    base.destinations.push('r/a:1');
    base.buildArgs.set('A', '1');
    const snapshot = structuredClone(base);
    const out = applyExtraArgs(base, parseExtraArgs('-d r/a:2 --build-arg A=2 --no-push'), '/ws');
    expect(base).toEqual(snapshot);
    expect(out.destinations).toEqual(['r/a:1', 'r/a:2']);
    expect(out.buildArgs.get('A')).toBe('2');
    expect(out.push).toBe(false);
  });

  test('words, verbosity and warnings', () => {
    const literal = 'a=$' + '{B}';
    const extra = parseExtraArgs(`--verbosity=debug --use-new-run --label "${literal}"`);
    expect(extra.words).toEqual(['--verbosity=debug', '--use-new-run', '--label', literal]);
    expect(extraVerbosity(extra)).toBe('debug');
    expect(extra.warnings).toHaveLength(2);
    expect(extra.warnings[1]).toMatch(/"\$\{B\}" is passed literally/);
    expect(extraVerbosity(parseExtraArgs(''))).toBeUndefined();
  });
});
