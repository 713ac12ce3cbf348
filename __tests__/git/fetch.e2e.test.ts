/**
 * GitFetcher against git servers on loopback (git daemon for git://, git
 * http-backend for http://, one of them demanding a GitHub-style token):
 * default branch, branch, annotated tag, pinned commit (which git daemon
 * refuses to fetch by SHA: the fallback fetches the branches), checksum,
 * missing refs, the commit time as every mtime, --keep-git-dir without
 * credentials, checkouts cached by commit, and a token that never shows.
 */
import { lstat, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { GitFetcher } from '../../src/git/fetch.js';
import { parseGitRef } from '../../src/git/git-ref.js';
import { type GitServers, git, type RepoCommit, startGitServers } from '../lab/git-server.js';
import { describeWith } from '../lab/prereq.js';

describeWith({ binaries: ['git'] }, 'git sources fetched from loopback servers', () => {
  let servers: GitServers;
  let open: GitServers;
  let dir = '';
  let commits: string[] = [];
  let secured: string[] = [];
  const TOKEN = 'ghs_kilnTestToken123';

  beforeAll(async () => {
    servers = await startGitServers({ token: TOKEN });
    open = await startGitServers();
    dir = await mkdtemp(path.join(tmpdir(), 'kiln-git-fetch-'));
    const history: RepoCommit[] = [
      {
        files: { 'README.md': 'one\n', 'app/main.sh': { content: '#!/bin/sh\necho one\n', mode: 0o755 } },
        message: 'one',
      },
      { files: { 'README.md': 'two\n' }, message: 'two', tag: 'v2' },
      { files: { 'README.md': 'three\n' }, message: 'three' },
      { files: { 'README.md': 'dev\n' }, message: 'dev', branch: 'dev' },
    ];
    commits = (await open.repo('app', history)).commits;
    secured = (await servers.repo('app', history)).commits;
  });
  afterAll(async () => {
    await servers?.stop();
    await open?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const fetcher = (name: string, auth?: { token: string; urls: string[] }) =>
    new GitFetcher({ cacheDir: path.join(dir, name), ...(auth ? { auth } : {}) });
  const ref = (url: string) => parseGitRef(url)!;

  test('the default branch over git://, with the commit time as every mtime', async () => {
    const c = await fetcher('a').checkout(ref(`${open.daemonUrl}/app.git`));
    expect(c.commit).toBe(commits[2]);
    expect(await readFile(path.join(c.dir, 'README.md'), 'utf8')).toBe('three\n');
    expect((await stat(path.join(c.dir, 'app/main.sh'))).mode & 0o777).toBe(0o755);
    await expect(lstat(path.join(c.dir, '.git'))).rejects.toThrow();
    const time = Number(
      await git(path.join(open.root, 'work/app'), 'log', '-1', '--format=%ct', commits[2]!),
    );
    expect((await stat(path.join(c.dir, 'README.md'))).mtimeMs).toBe(time * 1000);
    expect((await stat(path.join(c.dir, 'app'))).mtimeMs).toBe(time * 1000);
  });

  test('a branch, an annotated tag and a pinned commit', async () => {
    const f = fetcher('b');
    expect((await f.checkout(ref(`${open.daemonUrl}/app.git#dev`))).commit).toBe(commits[3]);
    const tag = await f.checkout(ref(`${open.httpUrl}/app.git#v2`));
    expect(tag.commit).toBe(commits[1]);
    expect(await readFile(path.join(tag.dir, 'README.md'), 'utf8')).toBe('two\n');
    const pinned = await f.checkout(ref(`${open.daemonUrl}/app.git#${commits[0]}`));
    expect(await readFile(path.join(pinned.dir, 'README.md'), 'utf8')).toBe('one\n');
  });

  test('a checksum must match the commit; a missing ref names itself', async () => {
    const f = fetcher('c');
    await expect(
      f.checkout(ref(`${open.httpUrl}/app.git?branch=dev&checksum=${commits[3]!.slice(0, 10)}`)),
    ).resolves.toMatchObject({
      commit: commits[3],
    });
    await expect(f.checkout(ref(`${open.httpUrl}/app.git?branch=dev&checksum=deadbeef`))).rejects.toThrow(
      `${open.httpUrl}/app.git#refs/heads/dev: expected checksum to match deadbeef, got ${commits[3]}`,
    );
    await expect(f.checkout(ref(`${open.httpUrl}/app.git#nope`))).rejects.toThrow(
      `${open.httpUrl}/app.git: the repository has no ref "nope" (branch, tag or full commit SHA)`,
    );
  });

  test('checkouts are cached by commit: a pinned commit is not fetched again', async () => {
    const f = fetcher('d');
    const url = `${open.httpUrl}/app.git#${commits[1]}`;
    const first = await f.checkout(ref(url));
    await open.stop();
    open = await startGitServers();
    // The server is gone (a new one, without the repository): the second checkout needs none.
    const again = await fetcher('d').checkout(ref(url));
    expect(again).toEqual(first);
    await open.repo('app', [{ files: { 'README.md': 'other\n' }, message: 'x' }]);
  });

  test('a token goes to the listed host as a header, is never printed, and is not kept in .git', async () => {
    const prefix = `${servers.httpUrl}/`;
    const url = `${servers.httpUrl}/app.git?keep-git-dir=true`;
    await expect(fetcher('e').checkout(ref(url))).rejects.toThrow(/git ls-remote failed/);
    const wrong = fetcher('f', { token: 'ghs_wrong', urls: [prefix] }).checkout(ref(url));
    await expect(wrong).rejects.toThrow();
    await wrong.catch((e: Error) => expect(e.message).not.toContain('ghs_wrong'));
    const c = await fetcher('g', { token: TOKEN, urls: [prefix] }).checkout(ref(url));
    expect(c.commit).toBe(secured[2]);
    expect(servers.authHeaders.some((h) => h.startsWith('basic '))).toBe(true);
    const config = await readFile(path.join(c.dir, '.git/config'), 'utf8');
    expect(config).toContain(`url = ${servers.httpUrl}/app.git`);
    expect(config).not.toContain(TOKEN);
    expect(await git(c.dir, 'rev-parse', 'HEAD')).toBe(secured[2]);
    // Another host never gets it.
    const before = servers.authHeaders.length;
    await fetcher('h', { token: TOKEN, urls: ['https://github.com/'] })
      .checkout(ref(url))
      .catch(() => undefined);
    expect(servers.authHeaders.length).toBe(before);
  });
});
