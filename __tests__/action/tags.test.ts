import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/action/input-error.js';
import { sanitizeTag, stripPrefix, tagProblem } from '../../src/action/tags.js';
import { githubCtx, HEAD_SHA, plan, SHA } from './helpers.js';

const S = SHA.slice(0, 7);
const GH = 'ghcr.io/aevea/action-kaniko';

const tagRef = (name: string) => ({
  GITHUB_REF: `refs/tags/${name}`,
  GITHUB_REF_NAME: name,
  GITHUB_REF_TYPE: 'tag',
});
const branch = (name: string) => ({
  GITHUB_REF: `refs/heads/${name}`,
  GITHUB_REF_NAME: name,
  GITHUB_REF_TYPE: 'branch',
});
const pull = {
  GITHUB_REF: 'refs/pull/7/merge',
  GITHUB_REF_NAME: '7/merge',
  GITHUB_EVENT_NAME: 'pull_request',
};

type Env = Record<string, string>;

describe('references: default tags, git tags, pull requests', () => {
  test.each<[string, Record<string, string>, Env, string[]]>([
    ['main branch: short SHA', { image: 'app' }, branch('main'), [`${GH}/app:${S}`]],
    ['feature/x branch: still the SHA', { image: 'app' }, branch('feature/x'), [`${GH}/app:${S}`]],
    [
      'tag_with_latest adds latest',
      { image: 'app', tag_with_latest: 'true' },
      branch('main'),
      [`${GH}/app:${S}`, `${GH}/app:latest`],
    ],
    ['sha_length 12', { image: 'app', sha_length: '12' }, branch('main'), [`${GH}/app:${SHA.slice(0, 12)}`]],
    ['sha_length 40', { image: 'app', sha_length: '40' }, branch('main'), [`${GH}/app:${SHA}`]],
    [
      'sha_length beyond the SHA: all of it',
      { image: 'app', sha_length: '64' },
      branch('main'),
      [`${GH}/app:${SHA}`],
    ],
    [
      'git tag: its name first, then the SHA',
      { image: 'app' },
      tagRef('v1.2.3'),
      [`${GH}/app:v1.2.3`, `${GH}/app:${S}`],
    ],
    [
      'git tag with strip_tag_prefix v',
      { image: 'app', strip_tag_prefix: 'v' },
      tagRef('v1.2.3'),
      [`${GH}/app:1.2.3`, `${GH}/app:${S}`],
    ],
    [
      'strip_tag_prefix that does not match leaves the tag',
      { image: 'app', strip_tag_prefix: 'release-' },
      tagRef('v1.2.3'),
      [`${GH}/app:v1.2.3`, `${GH}/app:${S}`],
    ],
    [
      'strip_tag_prefix with a slash',
      { image: 'app', strip_tag_prefix: 'release/' },
      tagRef('release/2.0'),
      [`${GH}/app:2.0`, `${GH}/app:${S}`],
    ],
    [
      'git tag with / and + made tag-safe',
      { image: 'app' },
      tagRef('release/1.0.0+build.5'),
      [`${GH}/app:release-1.0.0-build.5`, `${GH}/app:${S}`],
    ],
    [
      'git tag keeps its case (tags are case-sensitive)',
      { image: 'app' },
      tagRef('V1-RC'),
      [`${GH}/app:V1-RC`, `${GH}/app:${S}`],
    ],
    [
      'strip_tag_prefix on a branch: nothing to strip',
      { image: 'app', strip_tag_prefix: 'v' },
      branch('v-next'),
      [`${GH}/app:${S}`],
    ],
    [
      'git tag + tag_with_latest',
      { image: 'app', strip_tag_prefix: 'v', tag_with_latest: 'true' },
      tagRef('v2.0.0'),
      [`${GH}/app:2.0.0`, `${GH}/app:${S}`, `${GH}/app:latest`],
    ],
    [
      'explicit tag wins over the defaults',
      { image: 'app', tag: 'stable' },
      tagRef('v1.0'),
      [`${GH}/app:stable`],
    ],
    [
      'explicit tag, stripped (as aevea does)',
      { image: 'app', tag: 'v9', strip_tag_prefix: 'v' },
      branch('main'),
      [`${GH}/app:9`],
    ],
    [
      'explicit tag + latest',
      { image: 'app', tag: 'stable', tag_with_latest: 'true' },
      branch('main'),
      [`${GH}/app:stable`, `${GH}/app:latest`],
    ],
    [
      'explicit tag "latest" with tag_with_latest: once',
      { image: 'app', tag: 'latest', tag_with_latest: 'true' },
      branch('main'),
      [`${GH}/app:latest`],
    ],
    ['tag written in image', { image: 'app:1.0' }, branch('main'), [`${GH}/app:1.0`]],
    [
      'tag written in image and the same in tag',
      { image: 'app:1.0', tag: '1.0' },
      branch('main'),
      [`${GH}/app:1.0`],
    ],
    [
      'pull request: the PR head commit, not the merge commit',
      { image: 'app' },
      pull,
      [`${GH}/app:${HEAD_SHA.slice(0, 7)}`],
    ],
  ])('%s', (_name, given, env, refs) => {
    const event = env === pull ? { pull_request: { head: { sha: HEAD_SHA } } } : undefined;
    const { action, options } = plan(given, githubCtx(env, event));
    expect(action.references).toEqual(refs);
    expect(options.destinations).toEqual(refs);
  });

  test('pull request without a readable payload falls back to GITHUB_SHA', () => {
    const { action } = plan({ image: 'app' }, githubCtx(pull));
    expect(action.references).toEqual([`${GH}/app:${S}`]);
  });

  test('pull_request_target runs on the base commit: GITHUB_SHA, not the PR head', () => {
    const github = githubCtx(
      { ...branch('main'), GITHUB_EVENT_NAME: 'pull_request_target' },
      { pull_request: { head: { sha: HEAD_SHA } } },
    );
    expect(plan({ image: 'app' }, github).action.references).toEqual([`${GH}/app:${S}`]);
  });

  test.each<[string, Record<string, string>, Env, RegExp]>([
    ['tag with a space', { image: 'app', tag: 'my tag' }, {}, /input "tag": "my tag" holds " "/],
    ['tag starting with -', { image: 'app', tag: '-x' }, {}, /input "tag": "-x" starts with "-"/],
    ['tag too long', { image: 'app', tag: 'a'.repeat(129) }, {}, /input "tag": .* 129 characters long/],
    [
      'strip_tag_prefix eats the whole git tag',
      { image: 'app', strip_tag_prefix: 'v1' },
      tagRef('v1'),
      /input "strip_tag_prefix": it removes all of the git tag "v1"/,
    ],
    [
      'git tag that cannot be a tag',
      { image: 'app' },
      tagRef('.hidden'),
      /input "tag": the git tag ".hidden" makes no valid image tag/,
    ],
    [
      'tag in image and a different tag',
      { image: 'app:1.0', tag: '2.0' },
      {},
      /input "tag": "2.0" conflicts with the tag "1.0" written in image/,
    ],
    ['no GITHUB_SHA and no tag', { image: 'app' }, { GITHUB_SHA: '' }, /input "tag": GITHUB_SHA is not set/],
    ['no image and no tags', {}, {}, /input "image": required/],
    ['digest in image', { image: 'app@sha256:' + 'a'.repeat(64) }, {}, /input "image": .*holds a digest/],
    ['invalid image', { image: 'a..b' }, {}, /input "image": invalid image reference/],
  ])('rejected before the build: %s', (_name, given, env, message) => {
    const run = () => plan(given, githubCtx(env));
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });

  test('an explicit tag needs no GITHUB_SHA', () => {
    expect(plan({ image: 'app', tag: 'x' }, githubCtx({ GITHUB_SHA: '' })).action.references).toEqual([
      `${GH}/app:x`,
    ]);
  });
});

describe('uppercase owners and names', () => {
  const upper = { GITHUB_REPOSITORY: 'Aevea/Action-Kaniko', GITHUB_REPOSITORY_OWNER: 'Aevea' };

  test.each<[Record<string, string>, string[], boolean]>([
    [{ image: 'kaniko' }, [`${GH}/kaniko:${S}`], false],
    [{ image: 'Kaniko', tag: 'RC1' }, [`${GH}/kaniko:RC1`], true],
    [{ image: 'Aevea/Tools' }, [`ghcr.io/aevea/tools:${S}`], true],
    [{ image: '-dev' }, [`ghcr.io/aevea/action-kaniko-dev:${S}`], false],
    [{ image: '/sub/app' }, [`ghcr.io/aevea/action-kaniko/sub/app:${S}`], false],
    [{ image: 'app', registry: 'GHCR.IO' }, [`${GH}/app:${S}`], false],
  ])('%j → %j', (given, refs, warned) => {
    const { action } = plan(given, githubCtx(upper));
    expect(action.references).toEqual(refs);
    expect(action.warnings.some((w) => /lowercased/.test(w))).toBe(warned);
  });
});

describe('registries and image naming', () => {
  test.each<[Record<string, string>, Env, string]>([
    [{ image: 'aevea/kaniko', registry: 'docker.io' }, {}, `docker.io/aevea/kaniko:${S}`],
    [{ image: 'kaniko', registry: 'docker.io' }, {}, `docker.io/library/kaniko:${S}`],
    [{ image: 'aevea/kaniko', registry: 'index.docker.io' }, {}, `docker.io/aevea/kaniko:${S}`],
    [{ image: 'aevea/kaniko', registry: 'https://index.docker.io/v1/' }, {}, `docker.io/aevea/kaniko:${S}`],
    [{ image: 'group/app', registry: 'registry.gitlab.com' }, {}, `registry.gitlab.com/group/app:${S}`],
    [
      { image: 'group/app', registry: 'https://registry.gitlab.com/' },
      {},
      `registry.gitlab.com/group/app:${S}`,
    ],
    [
      { image: 'app', registry: 'europe-docker.pkg.dev/proj/repo' },
      {},
      `europe-docker.pkg.dev/proj/repo/app:${S}`,
    ],
    [{ image: 'app', registry: 'localhost:5000' }, {}, `localhost:5000/app:${S}`],
    [{ image: 'app', registry: 'ghcr.io/someone' }, {}, `ghcr.io/someone/app:${S}`],
    [{ image: 'registry.example.com/team/app' }, {}, `registry.example.com/team/app:${S}`],
    [{ image: 'localhost:5000/app', registry: 'localhost:5000' }, {}, `localhost:5000/app:${S}`],
    [{ image: 'ghcr.io/aevea/other:v1' }, {}, 'ghcr.io/aevea/other:v1'],
    [
      { image: 'app', registry: 'containers.github.example.com' },
      { GITHUB_SERVER_URL: 'https://github.example.com' },
      `containers.github.example.com/aevea/action-kaniko/app:${S}`,
    ],
    [
      { image: 'app', registry: 'containers.github.example.com' },
      {},
      `containers.github.example.com/app:${S}`,
    ],
  ])('%j → %s', (given, env, ref) => {
    expect(plan(given, githubCtx(env)).action.references).toEqual([ref]);
  });

  test.each([
    ['not a host', { registry: 'ghcr io' }, /input "registry": "ghcr io" is not a registry host/],
    ['empty after scheme', { registry: 'https://' }, /input "registry": the registry is empty/],
  ])('registry %s', (_n, given, message) => {
    expect(() => plan({ image: 'app', ...given })).toThrow(message);
  });
});

describe('tags input (build-push-action / metadata-action style)', () => {
  test.each<[string, Record<string, string>, string[]]>([
    [
      'bare tags for image, defaults dropped',
      { image: 'app', tags: 'v1, v2' },
      [`${GH}/app:v1`, `${GH}/app:v2`],
    ],
    [
      'metadata-action output, no image',
      { tags: 'ghcr.io/aevea/action-kaniko:main\nghcr.io/aevea/action-kaniko:sha-0123456\n' },
      ['ghcr.io/aevea/action-kaniko:main', 'ghcr.io/aevea/action-kaniko:sha-0123456'],
    ],
    [
      'comma-separated full references',
      { tags: 'user/app:1,user/app:2' },
      ['docker.io/user/app:1', 'docker.io/user/app:2'],
    ],
    ['full reference without a tag means latest', { tags: 'ghcr.io/o/r' }, ['ghcr.io/o/r:latest']],
    ['name lowercased, tag case kept', { tags: 'ghcr.io/Org/App:RC1' }, ['ghcr.io/org/app:RC1']],
    [
      'image with explicit tag, bare tags and full references together',
      { image: 'app', tag: 'x', tags: 'y\nghcr.io/o/other:z' },
      [`${GH}/app:x`, `${GH}/app:y`, 'ghcr.io/o/other:z'],
    ],
    [
      'tag_with_latest with only full references: latest per repository',
      { tags: 'ghcr.io/o/a:1\nghcr.io/o/a:2\nghcr.io/o/b:1', tag_with_latest: 'true' },
      ['ghcr.io/o/a:1', 'ghcr.io/o/a:2', 'ghcr.io/o/b:1', 'ghcr.io/o/a:latest', 'ghcr.io/o/b:latest'],
    ],
    [
      'duplicates dropped',
      { image: 'app', tags: 'v1\nv1\nghcr.io/aevea/action-kaniko/app:v1' },
      [`${GH}/app:v1`],
    ],
  ])('%s', (_n, given, refs) => {
    expect(plan(given).action.references).toEqual(refs);
  });

  test.each([
    [{ tags: 'v1' }, /input "tags": "v1" is a bare tag but no image is set/],
    [{ image: 'app', tags: 'ok\nbad tag!' }, /input "tags": "bad tag!" holds " ", "!"/],
    [{ tags: 'ghcr.io/o/r@sha256:' + 'a'.repeat(64) }, /input "tags": .* holds a digest/],
    [{ tags: 'ghcr.io/o/r:bad$' }, /input "tags": invalid image reference "ghcr.io\/o\/r:bad\$"/],
    [{ tags: 'ghcr.io/o/r:1', tag: 'x' }, /input "tag": has nothing to apply to/],
  ])('%j rejected', (given, message) => {
    expect(() => plan(given)).toThrow(message);
  });
});

describe('every problem at once', () => {
  test('several bad inputs are reported together, each named', () => {
    let err: unknown;
    try {
      plan({ image: 'app', tag: 'a b', push: 'maybe', sha_length: '2', cache_backend: 's3' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const names = (err as InputError).problems.map((p) => p.input).sort();
    expect(names).toEqual(['cache_backend', 'push', 'sha_length']);
    expect((err as Error).message).toMatch(/^3 inputs need fixing:\n {2}input "sha_length"/);
  });
});

describe('tag helpers', () => {
  test.each([
    ['1.2.3', undefined],
    ['_x', undefined],
    ['A-b.C_d', undefined],
    ['', 'the tag is empty'],
    ['.x', '".x" starts with "."'],
    ['a/b', '"a/b" holds "/"'],
  ])('tagProblem(%j)', (tag, problem) => {
    expect(tagProblem(tag) === undefined ? undefined : tagProblem(tag)!.slice(0, problem?.length)).toBe(
      problem,
    );
  });
  test("stripPrefix removes a leading prefix, as aevea's shell did", () => {
    expect(stripPrefix('pre-0.1', 'pre-')).toBe('0.1');
    expect(stripPrefix('0.1', 'pre-')).toBe('0.1');
    expect(stripPrefix('v1', '')).toBe('v1');
  });
  test('sanitizeTag', () => {
    expect(sanitizeTag('feature/ä+b')).toBe('feature---b');
  });
});
