/**
 * The README's tables say what the code does: every input of
 * aevea/action-kaniko and docker/build-push-action (their action.yml files,
 * as of 2025) has a row, every input Kiln refuses is listed as not
 * supported, and every kaniko flag is under the heading its table entry
 * says (implemented, accepted with no effect, refused).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { CONDITIONAL_INPUTS, REFUSED_INPUTS } from '../../src/action/foreign-inputs.js';
import { BUILD_FLAGS } from '../../src/flags/executor-flags.js';
import { ROOT } from './helpers.js';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The text from a heading to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = README.indexOf(heading);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const level = heading.match(/^#+/)![0].length;
  const rest = README.slice(start + heading.length);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

/** The first cells of a section's table rows. */
function firstCells(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))
    .map((l) => l.split(' | ')[0]!)
    .join('\n');
}

const AEVEA = [
  'path',
  'registry',
  'username',
  'password',
  'image',
  'tag',
  'cache',
  'cache_ttl',
  'cache_registry',
  'cache_directory',
  'build_file',
  'strip_tag_prefix',
  'extra_args',
  'skip_unchanged_digest',
  'tag_with_latest',
  'target',
  'debug',
];
const BUILD_PUSH = [
  'add-hosts',
  'allow',
  'annotations',
  'attests',
  'build-args',
  'build-contexts',
  'builder',
  'cache-from',
  'cache-to',
  'call',
  'cgroup-parent',
  'context',
  'file',
  'labels',
  'load',
  'network',
  'no-cache',
  'no-cache-filters',
  'outputs',
  'platforms',
  'provenance',
  'pull',
  'push',
  'sbom',
  'secrets',
  'secret-envs',
  'secret-files',
  'shm-size',
  'ssh',
  'tags',
  'target',
  'ulimit',
  'github-token',
];

describe('README tables', () => {
  test('every aevea/action-kaniko input has a row', () => {
    const rows = firstCells(section('### From aevea/action-kaniko'));
    expect(AEVEA.filter((i) => !rows.includes(`\`${i}\``))).toEqual([]);
  });

  test('every docker/build-push-action input has a row; refused ones say "not supported"', () => {
    const text = section('### From docker/build-push-action');
    const rows = firstCells(text);
    expect(BUILD_PUSH.filter((i) => !rows.includes(`\`${i}\``))).toEqual([]);
    const notSupported = text
      .split('\n')
      .filter((l) => /\| Not supported/.test(l))
      .join('\n');
    const refused = Object.keys(REFUSED_INPUTS).filter((i) => i !== 'cache_mounts');
    expect(refused.filter((i) => !notSupported.includes(`\`${i}\``))).toEqual([]);
    const accepted = text
      .split('\n')
      .filter((l) => /\| Accepted/.test(l))
      .join('\n');
    expect(Object.keys(CONDITIONAL_INPUTS).filter((i) => !accepted.includes(`\`${i}\``))).toEqual([]);
  });

  test('every kaniko flag is under the heading its table entry says', () => {
    const text = section('### kaniko executor flags');
    const implemented = text.slice(0, text.indexOf('Accepted with no effect'));
    const ignored = firstCells(
      text.slice(text.indexOf('Accepted with no effect'), text.indexOf('Refused, by name')),
    );
    const refused = firstCells(text.slice(text.indexOf('Refused, by name')));
    for (const f of BUILD_FLAGS) {
      const where = f.refused ? refused : f.ignored ? ignored : implemented;
      expect([f.name, where.includes(`\`--${f.name}\``)]).toEqual([f.name, true]);
    }
  });
});
