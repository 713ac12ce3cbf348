import { describe, expect, test } from '@jest/globals';
import { buildSha, githubContextFromEnv } from '../../src/action/github-context.js';

const SHA = 'ABCDEF0123456789abcdef0123456789abcdef01';
const HEAD = '1111111111111111111111111111111111111111';

describe('githubContextFromEnv', () => {
  test('reads the runner variables', () => {
    const g = githubContextFromEnv(
      {
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/heads/feature/x',
        GITHUB_REF_NAME: 'feature/x',
        GITHUB_REF_TYPE: 'branch',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REPOSITORY: 'Octo-Org/Hello',
        GITHUB_REPOSITORY_OWNER: 'Octo-Org',
        GITHUB_ACTOR: 'octocat',
        GITHUB_SERVER_URL: 'https://github.example.com/',
        GITHUB_RUN_ID: '9',
        GITHUB_RUN_NUMBER: '3',
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_WORKFLOW: 'CI',
        GITHUB_JOB: 'build',
        GITHUB_WORKSPACE: '/ws',
        RUNNER_TEMP: '/rt',
        GITHUB_EVENT_PATH: '/ev.json',
        SOURCE_DATE_EPOCH: '1700000000',
      },
      { readFile: () => JSON.stringify({ head_commit: { timestamp: '2024-05-06T07:08:09+02:00' } }) },
    );
    expect(g).toEqual({
      sha: SHA.toLowerCase(),
      pullRequestHeadSha: undefined,
      ref: 'refs/heads/feature/x',
      refName: 'feature/x',
      refType: 'branch',
      headRef: undefined,
      baseRef: undefined,
      eventName: 'push',
      repository: 'Octo-Org/Hello',
      repositoryOwner: 'Octo-Org',
      actor: 'octocat',
      serverUrl: 'https://github.example.com',
      runId: '9',
      runNumber: '3',
      runAttempt: '2',
      workflow: 'CI',
      job: 'build',
      workspace: '/ws',
      runnerTemp: '/rt',
      commitTimestamp: '2024-05-06T07:08:09+02:00',
      sourceDateEpoch: 1700000000,
    });
  });

  test('pull request: head SHA from the payload, ref type pull', () => {
    const g = githubContextFromEnv(
      {
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/pull/12/merge',
        GITHUB_REF_NAME: '12/merge',
        GITHUB_REF_TYPE: 'branch',
        GITHUB_HEAD_REF: 'feature',
        GITHUB_BASE_REF: 'main',
        GITHUB_EVENT_PATH: '/ev.json',
      },
      { readFile: () => JSON.stringify({ pull_request: { head: { sha: HEAD } } }) },
    );
    expect(g.refType).toBe('pull');
    expect(g.headRef).toBe('feature');
    expect(g.baseRef).toBe('main');
    expect(buildSha(g)).toBe(HEAD);
  });

  test('without GITHUB_REF_TYPE/NAME they are derived from GITHUB_REF', () => {
    const g = githubContextFromEnv(
      { GITHUB_REF: 'refs/tags/v1.0', GITHUB_REPOSITORY: 'o/r' },
      { cwd: '/c', tmpdir: '/t' },
    );
    expect([g.refType, g.refName, g.repositoryOwner, g.serverUrl, g.workspace, g.runnerTemp]).toEqual([
      'tag',
      'v1.0',
      'o',
      'https://github.com',
      '/c',
      '/t',
    ]);
  });

  test.each([
    [
      'missing file',
      () => {
        throw new Error('ENOENT');
      },
    ],
    ['not JSON', () => '{'],
    ['JSON null', () => 'null'],
  ])('an unreadable payload (%s) costs only the payload fields', (_n, readFile) => {
    const g = githubContextFromEnv(
      {
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/pull/1/merge',
        GITHUB_EVENT_PATH: '/x',
        SOURCE_DATE_EPOCH: 'soon',
      },
      { readFile },
    );
    expect(buildSha(g)).toBe(SHA.toLowerCase());
    expect(g.commitTimestamp).toBeUndefined();
    expect(g.sourceDateEpoch).toBeUndefined();
  });
});
