/**
 * Git repositories in builds, against git servers on loopback: `kiln build
 * --context <repo>` in BuildKit's form (`http://…/r.git#ref:subdir`) and in
 * kaniko's (`git://host/r.git#ref`, over http with GIT_PULL_METHOD=http, with
 * kaniko's GIT_USERNAME/GIT_PASSWORD for a server that demands them), and
 * `ADD <git URL>` in a Dockerfile (git daemon's git://: a subdir, a tag,
 * --keep-git-dir, a checksum that does not match). Images are unpacked with
 * umoci and their files read.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { runCli } from '../cli/run-cli.js';
import { type GitServers, type RepoCommit, startGitServers } from '../lab/git-server.js';
import { describeWith } from '../lab/prereq.js';

const run = promisify(execFile);

describeWith({ binaries: ['git', 'umoci'] }, 'git repositories as build contexts and ADD sources', () => {
  let open: GitServers;
  let secured: GitServers;
  let dir = '';
  let n = 0;
  let commits: string[] = [];
  const TOKEN = 'ghs_contextToken987';

  beforeAll(async () => {
    open = await startGitServers();
    secured = await startGitServers({ token: TOKEN });
    dir = await mkdtemp(path.join(tmpdir(), 'kiln-git-ctx-'));
    const history: RepoCommit[] = [
      {
        files: {
          Dockerfile: 'FROM scratch\nCOPY . /ctx/\n',
          'sub/Dockerfile': 'FROM scratch\nCOPY . /sub/\n',
          'sub/app.txt': 'app v1\n',
        },
        message: 'one',
        tag: 'v1',
      },
      { files: { 'sub/app.txt': 'app v2\n' }, message: 'two' },
    ];
    commits = (await open.repo('app', history)).commits;
    await secured.repo('app', history);
  });
  afterAll(async () => {
    await open?.stop();
    await secured?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs kiln build into an OCI layout; returns the unpacked rootfs. */
  async function buildRootfs(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const out = path.join(dir, `out-${++n}`);
    const r = await runCli(
      ['build', ...argv, '--no-push', '--oci-layout-path', `${out}/oci`, '--workspace', `${out}/ws`],
      { cwd: dir, env: { ...process.env, ...env } },
    );
    if (r.code !== 0) return { r, rootfs: '' };
    await run('umoci', ['unpack', '--rootless', '--image', `${out}/oci:latest`, `${out}/bundle`]);
    // Nothing fetched stays behind.
    expect((await readdir(`${out}/ws`)).filter((f) => f.startsWith('kiln-git-context-'))).toEqual([]);
    return { r, rootfs: `${out}/bundle/rootfs` };
  }

  test("BuildKit's form: http://…/r.git#ref:subdir is the context, its Dockerfile the default", async () => {
    const { r, rootfs } = await buildRootfs(['--context', `${open.httpUrl}/app.git#v1:sub`]);
    expect(r.stderr).toContain(`context: ${open.httpUrl}/app.git#v1:sub at ${commits[0]}`);
    expect(r.code).toBe(0);
    expect(await readFile(path.join(rootfs, 'sub/app.txt'), 'utf8')).toBe('app v1\n');
    expect(await readdir(path.join(rootfs, 'sub'))).toEqual(['Dockerfile', 'app.txt']);
  });

  test("kaniko's form: git://host/r.git#refs/heads/main over http, kaniko's credentials for its host", async () => {
    const location = secured.httpUrl.slice('http://'.length);
    const env = { GIT_PULL_METHOD: 'http', GIT_USERNAME: 'x-access-token', GIT_PASSWORD: TOKEN };
    const { r, rootfs } = await buildRootfs(['--context', `git://${location}/app.git#refs/heads/main`], env);
    expect(r.code).toBe(0);
    expect(await readFile(path.join(rootfs, 'ctx/sub/app.txt'), 'utf8')).toBe('app v2\n');
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    const denied = await buildRootfs(['--context', `git://${location}/app.git#refs/heads/main`], {
      GIT_PULL_METHOD: 'http',
      GIT_PASSWORD: 'wrong-password-123',
    });
    expect(denied.r.code).toBe(1);
    expect(denied.r.stderr).toMatch(/app\.git: git ls-remote failed .*Authentication failed/);
    expect(denied.r.stderr).not.toContain('wrong-password-123');
  });

  async function contextWith(dockerfile: string): Promise<string> {
    const ctx = path.join(dir, `ctx-${++n}`);
    await mkdir(ctx);
    await writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
    return ctx;
  }

  test('ADD git:// (git daemon): a subdir at a tag, a branch with .git kept', async () => {
    const ctx = await contextWith(
      `FROM scratch\nADD ${open.daemonUrl}/app.git#v1:sub /v1/\nADD --keep-git-dir=true ${open.daemonUrl}/app.git#main /repo\n`,
    );
    const { r, rootfs } = await buildRootfs(['--context', ctx]);
    expect(r.code).toBe(0);
    expect(await readdir(path.join(rootfs, 'v1'))).toEqual(['Dockerfile', 'app.txt']);
    expect(await readFile(path.join(rootfs, 'v1/app.txt'), 'utf8')).toBe('app v1\n');
    expect(await readFile(path.join(rootfs, 'repo/sub/app.txt'), 'utf8')).toBe('app v2\n');
    expect((await stat(path.join(rootfs, 'repo/.git'))).isDirectory()).toBe(true);
    expect((await readFile(path.join(rootfs, 'repo/.git/HEAD'), 'utf8')).trim()).toBe(commits[1]);
  });

  test('ADD --checksum that the commit does not match fails at the line, naming both', async () => {
    const ctx = await contextWith(
      `FROM scratch\nADD --checksum=deadbeef ${open.httpUrl}/app.git#main /repo\n`,
    );
    const { r } = await buildRootfs(['--context', ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dockerfile:2: ADD .*expected checksum to match deadbeef, got [0-9a-f]{40}/);
  });
});
