import { describe, expect, test } from '@jest/globals';
import { createdTime, defaultLabels, mergeLabels, OCI, rfc3339 } from '../../src/action/labels.js';
import { githubCtx, HEAD_SHA, SHA } from './helpers.js';

const NOW = new Date('2025-01-02T03:04:05.678Z');

describe('OCI labels from the GitHub context', () => {
  test('push to a branch', () => {
    const labels = defaultLabels(githubCtx(), rfc3339(NOW));
    expect(Object.fromEntries(labels)).toEqual({
      [OCI.source]: 'https://github.com/aevea/action-kaniko',
      [OCI.url]: 'https://github.com/aevea/action-kaniko',
      [OCI.title]: 'action-kaniko',
      [OCI.revision]: SHA,
      [OCI.created]: '2025-01-02T03:04:05Z',
    });
  });

  test('GitHub Enterprise Server URL, repository case kept', () => {
    const g = githubCtx({ GITHUB_SERVER_URL: 'https://git.corp.example/', GITHUB_REPOSITORY: 'Team/My-App' });
    const labels = defaultLabels(g, undefined);
    expect(labels.get(OCI.source)).toBe('https://git.corp.example/Team/My-App');
    expect(labels.get(OCI.title)).toBe('My-App');
    expect(labels.has(OCI.created)).toBe(false);
  });

  test('pull request: revision is the PR head, like the tag', () => {
    const g = githubCtx(
      { GITHUB_REF: 'refs/pull/3/merge', GITHUB_EVENT_NAME: 'pull_request' },
      { pull_request: { head: { sha: HEAD_SHA } } },
    );
    expect(defaultLabels(g, undefined).get(OCI.revision)).toBe(HEAD_SHA);
  });

  test('no repository, no SHA: those labels are left out', () => {
    const labels = defaultLabels(githubCtx({ GITHUB_REPOSITORY: '', GITHUB_SHA: '' }), undefined);
    expect(labels.size).toBe(0);
  });

  test.each<[string, Record<string, string>, unknown, boolean, string | undefined]>([
    ['not reproducible: now', {}, undefined, false, '2025-01-02T03:04:05Z'],
    ['SOURCE_DATE_EPOCH wins', { SOURCE_DATE_EPOCH: '1700000000' }, undefined, false, '2023-11-14T22:13:20Z'],
    ['SOURCE_DATE_EPOCH, reproducible', { SOURCE_DATE_EPOCH: '0' }, undefined, true, '1970-01-01T00:00:00Z'],
    [
      'reproducible: the commit time, in UTC',
      {},
      { head_commit: { timestamp: '2024-05-06T07:08:09+02:00' } },
      true,
      '2024-05-06T05:08:09Z',
    ],
    ['reproducible, no commit time: no label (stable digest)', {}, undefined, true, undefined],
    [
      'reproducible, garbage commit time: no label',
      {},
      { head_commit: { timestamp: 'yesterday' } },
      true,
      undefined,
    ],
  ])('created: %s', (_n, env, event, reproducible, want) => {
    expect(createdTime(githubCtx(env, event), NOW, reproducible)).toBe(want);
  });

  test('user labels override; an empty value removes', () => {
    const merged = mergeLabels(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
      new Map([
        ['b', ''],
        ['c', '3'],
        ['a', 'x'],
      ]),
    );
    expect([...merged]).toEqual([
      ['a', 'x'],
      ['c', '3'],
    ]);
  });
});
