import { describe, expect, test } from '@jest/globals';
import { pickRef } from '../../src/git/fetch.js';
import { redactGit } from '../../src/git/git-command.js';
import { formatGitRef, GitRefError, parseGitRef, redactUrl } from '../../src/git/git-ref.js';

describe('git sources as BuildKit names them', () => {
  test.each([
    [
      'https://github.com/o/r.git#v1.2:sub/dir',
      {
        remote: 'https://github.com/o/r.git',
        scheme: 'https',
        host: 'github.com',
        ref: 'v1.2',
        subdir: 'sub/dir',
      },
    ],
    ['https://github.com/o/r.git', { remote: 'https://github.com/o/r.git', ref: '', subdir: '' }],
    [
      'git://127.0.0.1:9418/r#main',
      { remote: 'git://127.0.0.1:9418/r', scheme: 'git', unencrypted: true, ref: 'main' },
    ],
    [
      'git@github.com:o/r.git#dev:/a/../b/',
      { remote: 'git@github.com:o/r.git', scheme: 'ssh', host: 'github.com', ref: 'dev', subdir: 'b' },
    ],
    ['ssh://git@host.example/o/r.git#refs/tags/v1', { scheme: 'ssh', ref: 'refs/tags/v1' }],
    [
      'https://host/o/r.git?tag=v1&subdir=x&keep-git-dir',
      { ref: 'refs/tags/v1', subdir: 'x', keepGitDir: true },
    ],
    [
      'https://host/o/r.git?branch=dev&commit=abc123&submodules=false',
      { ref: 'refs/heads/dev', checksum: 'abc123', submodules: false },
    ],
  ])('%s', (src, want) => {
    expect(parseGitRef(src)).toMatchObject(want);
  });

  test.each([
    'https://example.com/file.tar.gz',
    'https://example.com/repo',
    './local.git',
    'src/',
    'github.com/o/r',
    's3://bucket/x.git',
  ])('%s is not a git source', (src) => {
    expect(parseGitRef(src)).toBeUndefined();
  });

  test.each([
    ['https://h/o/r.git?tag=a&branch=b', 'branch conflicts with tag'],
    ['https://h/o/r.git?bogus=1', 'unexpected query "bogus"'],
    ['https://h/o/r.git?keep-git-dir=maybe', 'invalid keep-git-dir value: "maybe"'],
  ])('%s is an error', (src, message) => {
    expect(() => parseGitRef(src)).toThrow(new GitRefError(message));
  });

  test('credentials never show in messages', () => {
    expect(redactUrl('https://user:secret@host/o/r.git')).toBe('https://host/o/r.git');
    const r = parseGitRef('https://user:secret@host/o/r.git#main')!;
    expect(formatGitRef(r)).toBe('https://host/o/r.git#main');
    const auth = { urls: ['https://github.com/'], token: 'ghs_TOPSECRET' };
    const header = Buffer.from('x-access-token:ghs_TOPSECRET').toString('base64');
    expect(redactGit(`fatal: https://x:ghs_TOPSECRET@h/ ${header} ghs_TOPSECRET`, auth)).toBe(
      'fatal: https://h/ *** ***',
    );
  });
});

describe("ls-remote: BuildKit's choice of commit", () => {
  const out = [
    `${'1'.repeat(40)}\trefs/heads/main`,
    `${'2'.repeat(40)}\trefs/tags/main`,
    `${'3'.repeat(40)}\trefs/tags/v1`,
    `${'4'.repeat(40)}\trefs/tags/v1^{}`,
  ].join('\n');
  test('a branch wins over a tag of the same name; an annotated tag gives its commit', () => {
    expect(pickRef(out, 'main')).toEqual({ commit: '1'.repeat(40), usedRef: 'refs/heads/main' });
    expect(pickRef(out, 'v1')).toEqual({
      commit: '3'.repeat(40),
      usedRef: 'refs/tags/v1',
      annotatedTagCommit: '4'.repeat(40),
    });
    expect(pickRef(out, 'refs/tags/main')).toEqual({ commit: '2'.repeat(40), usedRef: 'refs/tags/main' });
    expect(pickRef(out, 'nope')).toBeUndefined();
  });
});
