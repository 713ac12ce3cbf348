import { describe, expect, test } from '@jest/globals';
import {
  actionLogger,
  type CoreLog,
  neutralizeCommands,
  stageOfLine,
} from '../../src/action/action-logger.js';

/** A CoreLog that records what @actions/core would print, as workflow commands. */
function recorder() {
  const lines: string[] = [];
  const core: CoreLog = {
    info: (m) => lines.push(m),
    debug: (m) => lines.push(`::debug::${m}`),
    warning: (m) => lines.push(`::warning::${m}`),
    error: (m) => lines.push(`::error::${m}`),
    startGroup: (n) => lines.push(`::group::${n}`),
    endGroup: () => lines.push('::endgroup::'),
    setSecret: (s) => lines.push(`::add-mask::${s}`),
  };
  return { core, lines };
}

describe('neutralizeCommands', () => {
  test.each([
    ['::set-output name=digest::sha256:evil', ':\u200b:set-output name=digest::sha256:evil'],
    ['   ::error::fake', '   :\u200b:error::fake'],
    ['echo ##[set-output name=x;]y', 'echo ##\u200b[set-output name=x;]y'],
    ['##[group]a ##[endgroup]', '##\u200b[group]a ##\u200b[endgroup]'],
    ['plain line with :: inside', 'plain line with :: inside'],
    ['', ''],
  ])('%j', (input, expected) => {
    expect(neutralizeCommands(input)).toBe(expected);
  });
});

describe('stageOfLine', () => {
  test.each([
    ['[builder 1/3] RUN make', 'Stage: builder'],
    ['[stage-0 2/2] COPY a b', 'Stage: stage-0'],
    ['[stage-1] FROM scratch', 'Stage: stage-1'],
    ['[builder 1/3]: extracted 1 layer(s)', undefined],
    ['pulling ghcr.io/o/r:1', undefined],
    ['[not a label] x', undefined],
  ])('%j', (line, expected) => {
    expect(stageOfLine(line)).toBe(expected);
  });
});

describe('actionLogger', () => {
  test('masks secrets with the runner and redacts them itself, longest first, per line of a multi-line secret', () => {
    const { core, lines } = recorder();
    const log = actionLogger(core);
    log.secret('hunter2');
    log.secret('hunter2hunter2');
    log.secret('');
    log.secret('line-one\nline-two');
    log.info('a hunter2hunter2 b hunter2 c line-two');
    log.warn('warn hunter2');
    expect(lines).toEqual([
      '::add-mask::hunter2',
      '::add-mask::hunter2hunter2',
      '::add-mask::line-one\nline-two',
      '::add-mask::line-one',
      '::add-mask::line-two',
      'a *** b *** c ***',
      '::warning::warn ***',
    ]);
    expect(log.redact('x hunter2')).toBe('x ***');
  });

  test('build output cannot issue workflow commands', () => {
    const { core, lines } = recorder();
    actionLogger(core).info('[app 1/1] ::add-mask::x\n::set-output name=digest::evil\n  ::stop-commands::t');
    expect(lines).toEqual([
      '::group::Stage: app',
      '[app 1/1] ::add-mask::x',
      ':\u200b:set-output name=digest::evil',
      '  :\u200b:stop-commands::t',
    ]);
  });

  test('a group per stage, opened by its labelled lines and closed by another stage, a line of no stage, or close()', () => {
    const { core, lines } = recorder();
    const log = actionLogger(core);
    log.info('pulling base');
    log.info('[builder 1/2] FROM base');
    log.info('[builder 2/2] RUN make');
    log.info('[stage-1] FROM builder');
    log.info('[stage-1 1/1] COPY --from=builder /out /');
    log.info('pushing x');
    log.info('pushed x');
    log.info('[stage-1 1/1] late');
    log.close();
    log.close();
    log.info('digest: sha256:…');
    expect(lines).toEqual([
      'pulling base',
      '::group::Stage: builder',
      '[builder 1/2] FROM base',
      '[builder 2/2] RUN make',
      '::endgroup::',
      '::group::Stage: stage-1',
      '[stage-1] FROM builder',
      '[stage-1 1/1] COPY --from=builder /out /',
      '::endgroup::',
      'pushing x',
      'pushed x',
      '::group::Stage: stage-1',
      '[stage-1 1/1] late',
      '::endgroup::',
      'digest: sha256:…',
    ]);
  });

  test('explicit groups: top level only (the runner does not nest them); they close an open stage group', async () => {
    const { core, lines } = recorder();
    const log = actionLogger(core);
    log.info('[a 1/1] FROM x');
    const value = await log.group('Build', async () => {
      log.info('[a 1/1] RUN y');
      return log.group('inner', async () => {
        log.info('deep');
        return 42;
      });
    });
    expect(value).toBe(42);
    await expect(
      log.group('Failing', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(lines).toEqual([
      '::group::Stage: a',
      '[a 1/1] FROM x',
      '::endgroup::',
      '::group::Build',
      '[a 1/1] RUN y',
      '── inner',
      'deep',
      '::endgroup::',
      '::group::Failing',
      '::endgroup::',
    ]);
  });

  test('debug lines: core.debug, or the log when verbose', () => {
    const { core, lines } = recorder();
    const log = actionLogger(core);
    log.secret('s3cret');
    log.debug('token s3cret');
    log.setVerbose(true);
    log.debug('now visible');
    expect(lines).toEqual(['::add-mask::s3cret', '::debug::token ***', 'debug: now visible']);
  });
});

describe('hint settings', () => {
  test('library hints name the action’s inputs, in lines, warnings and redacted text', () => {
    const { core, lines } = recorder();
    const log = actionLogger(core);
    log.warn('cache r.example/c is unreachable (check {{cache-repo}} and its credentials)');
    log.info('use {{isolation rootless}}');
    expect(lines).toEqual([
      '::warning::cache r.example/c is unreachable (check cache_registry and its credentials)',
      'use isolation: rootless',
    ]);
    expect(log.redact('trust it with {{registry-certificate r.example=ca.pem}}')).toBe(
      'trust it with extra_args: --registry-certificate r.example=ca.pem',
    );
  });
});
