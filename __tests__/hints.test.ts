/** Hint codes: markers in library text, named by each front door; every setting has a name in both. */
import { describe, expect, test } from '@jest/globals';
import { actionSettingName } from '../src/action/setting-names.js';
import { BUILD_FLAGS, cliSettingName } from '../src/flags/executor-flags.js';
import { namingSettings, renderSettings, SETTINGS, setting, settingsIn } from '../src/hints.js';
import type { Logger } from '../src/log.js';

describe('setting markers', () => {
  test('render with the front door’s names; unknown markers stay as written', () => {
    const text = `use ${setting('insecure-registry', 'r.example:5000')} or ${setting('platform')}; {{.Id}} {{nope x}}`;
    expect(settingsIn(text)).toEqual(['insecure-registry', 'platform']);
    expect(renderSettings(text, cliSettingName)).toBe(
      'use --insecure-registry r.example:5000 or --platform; {{.Id}} {{nope x}}',
    );
    expect(renderSettings(text, actionSettingName)).toBe(
      'use extra_args: --insecure-registry r.example:5000 or platforms; {{.Id}} {{nope x}}',
    );
  });

  test('every setting is a flag of the executor table and has an action name without a marker', () => {
    const flags = new Set(BUILD_FLAGS.map((f) => `--${f.name}`));
    for (const s of SETTINGS) {
      const cli = cliSettingName(s, undefined);
      if (s !== 'credentials') expect(flags).toContain(cli);
      expect(actionSettingName(s, undefined)).not.toMatch(/\{\{/);
    }
  });

  test('a front door’s logger names the settings in every line', () => {
    const lines: string[] = [];
    const base: Logger = {
      debug: (m) => lines.push(`debug ${m}`),
      info: (m) => lines.push(`info ${m}`),
      warn: (m) => lines.push(`warn ${m}`),
      error: (m) => lines.push(`error ${m}`),
      group: (_n, fn) => fn(),
      secret() {},
    };
    const log = namingSettings(base, cliSettingName);
    log.warn(`check ${setting('cache-repo')}`);
    log.info(setting('dockerfile'));
    expect(lines).toEqual(['warn check --cache-repo', 'info --dockerfile']);
  });
});
