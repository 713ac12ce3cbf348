import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { IgnoreMatcher, loadDockerignore, parseDockerignore } from '../../src/dockerfile/dockerignore.js';
import { DockerfileError } from '../../src/dockerfile/errors.js';
import { PatternMatcher } from '../../src/dockerfile/pattern-matcher.js';

const matcher = (text: string) => new IgnoreMatcher(parseDockerignore(text));

describe('reading .dockerignore', () => {
  test('comments in column 1, blank lines, trimming, cleaning, exceptions', () => {
    const text =
      '\uFEFF# comment\n\n  *.md  \n #not a comment\n!  README.md\n./a/../b/\n/build\n//x//y/\n../up\n.\n';
    expect(parseDockerignore(text)).toEqual([
      { pattern: '*.md', line: 3 },
      { pattern: '#not a comment', line: 4 },
      { pattern: '!README.md', line: 5 },
      { pattern: 'b', line: 6 },
      { pattern: 'build', line: 7 },
      { pattern: 'x/y', line: 8 },
      { pattern: '../up', line: 9 },
      { pattern: '.', line: 10 },
    ]);
  });

  test.each([
    ['*.txt\n!\n', 2, 'illegal exclusion pattern: "!"'],
    ['ok\n[a-\n', 2, 'syntax error in pattern "[a-": unterminated ['],
    ['a\\\n', 1, 'syntax error in pattern "a\\\\": trailing backslash'],
    ['x\n\n[z-a]\n', 3, 'syntax error in pattern "[z-a]": invalid character range'],
  ])('%j → error at line %i', (text, line, detail) => {
    let err: unknown;
    try {
      new IgnoreMatcher(parseDockerignore(text), 'ctx/.dockerignore');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).message).toBe(`ctx/.dockerignore:${line}: ${detail}`);
  });
});

describe('matching (moby/patternmatcher rules)', () => {
  test.each<[string, string, boolean]>([
    ['*.md', 'README.md', true],
    ['*.md', 'docs/a.md', false],
    ['**/*.md', 'docs/a.md', true],
    ['**/*.md', 'a.md', true],
    ['**/*.md', 'a/b/c/d.md', true],
    ['docs', 'docs', true],
    ['docs', 'docs/x/y.txt', true],
    ['docs', 'docsx', false],
    ['docs/**', 'docs/x', true],
    ['docs/**', 'docs', false],
    ['docs/**/*.txt', 'docs/a.txt', true],
    ['docs/**/*.txt', 'docs/a/b/c.txt', true],
    ['**', 'anything/at/all', true],
    ['**/.git', '.git', true],
    ['**/.git', 'a/b/.git', true],
    ['**/.git', 'a/b/.git/config', true],
    ['**/.git', 'a/b.git', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['*/temp*', 'x/temporary', true],
    ['*/temp*', 'temp', false],
    ['*/temp*', 'x/y/temp', false],
    ['*/*/temp*', 'x/y/temp.txt', true],
    ['temp?', 'temp1', true],
    ['[a-c].txt', 'b.txt', true],
    ['[a-c].txt', 'd.txt', false],
    ['[^a-c].txt', 'd.txt', true],
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
    ['a.b', 'axb', false],
    ['a+(b)|{c}$', 'a+(b)|{c}$', true],
    ['build', 'build/out/x.o', true],
    ['foo**', 'foobar/baz', true],
    ['foo**', 'fo', false],
    ['.*', '.env', true],
    ['.*', 'a/.env', false],
  ])('%s matches %s: %s', (pattern, file, expected) => {
    expect(new PatternMatcher([pattern]).matches(file)).toBe(expected);
  });

  test('exceptions apply in order; the last matching pattern wins', () => {
    const m = matcher('*.md\n!README.md\n');
    expect([m.matches('CHANGELOG.md'), m.matches('README.md')]).toEqual([true, false]);
    const reversed = matcher('!README.md\n*.md\n');
    expect(reversed.matches('README.md')).toBe(true);
    const three = matcher('docs\n!docs/keep\ndocs/keep/secret\n');
    expect([
      three.matches('docs/x'),
      three.matches('docs/keep/a'),
      three.matches('docs/keep/secret'),
    ]).toEqual([true, false, true]);
  });

  test('a leading slash and .. are cleaned away', () => {
    const m = matcher('/build\nsrc/../dist\n');
    expect([m.matches('build/x'), m.matches('dist'), m.matches('src')]).toEqual([true, true, false]);
  });

  test('hostile patterns stay fast (no backtracking)', () => {
    const m = new PatternMatcher([`${'**/'.repeat(40)}x`, `${'*a'.repeat(40)}b`]);
    const deep = `${'d/'.repeat(500)}y`;
    expect(m.matches(deep)).toBe(false);
    expect(m.matches('a'.repeat(3000))).toBe(false);
  });
});

describe('pruning excluded directories', () => {
  test.each<[string, string, 'include' | 'exclude' | 'prune']>([
    ['node_modules\n', 'node_modules', 'prune'],
    ['node_modules\n', 'src', 'include'],
    ['build\n!build/keep.txt\n', 'build', 'exclude'],
    ['build\n!build/keep.txt\n', 'other', 'include'],
    ['*\n!src\n', 'vendor', 'prune'],
    ['*\n!src\n', 'src', 'include'],
    ['*\n!**/keep\n', 'vendor', 'exclude'],
    ['!dir/keep\ndir\n', 'dir', 'prune'],
    ['dir/*\n!dir/sub/*.txt\n', 'dir/sub', 'exclude'],
    ['dir/*\n!dir/sub/*.txt\n', 'dir/other', 'prune'],
    ['dir\n!dir**\n', 'dir', 'include'],
    ['a\n!a/b**\n', 'a', 'exclude'],
    ['a\n!ab**\n', 'a', 'prune'],
    ['*\n!*/keep\n', 'x', 'exclude'],
  ])('%j: directory %s → %s', (text, dir, decision) => {
    expect(matcher(text).decide(dir, true)).toBe(decision);
  });

  test('files are never pruned', () => {
    expect(matcher('x\n').decide('x', false)).toBe('exclude');
  });
});

describe('walkers decide entry by entry, by name (issue 19: compiled once, no per-path rescans)', () => {
  /** A small deterministic generator, so a failure names a reproducible case. */
  const rng = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const NAMES = ['a', 'b', 'ab', 'x.log', 'keep'];
  const PIECES = ['a', 'b', 'ab', '*', '?', '**', 'a*', '*.log', 'x.log', 'keep', '[ab]', 'k*p'];

  function randomPatterns(r: () => number): string[] {
    return Array.from({ length: 1 + Math.floor(r() * 6) }, () => {
      const depth = 1 + Math.floor(r() * 3);
      const body = Array.from({ length: depth }, () => PIECES[Math.floor(r() * PIECES.length)]!).join('/');
      return r() < 0.3 ? `!${body}` : body;
    });
  }

  /** Every path of the tree of NAMES three levels deep, with what entry() said about it (undefined: under a pruned dir). */
  function walk(m: PatternMatcher): Map<string, { excluded: boolean; prune: boolean } | undefined> {
    const out = new Map<string, { excluded: boolean; prune: boolean } | undefined>();
    const visit = (
      state: ReturnType<PatternMatcher['rootState']> | undefined,
      dir: string,
      depth: number,
    ) => {
      for (const name of NAMES) {
        const p = dir ? `${dir}/${name}` : name;
        const isDir = depth < 3;
        const d = state && m.entry(state, name, isDir);
        out.set(p, d && { excluded: d.excluded, prune: d.prune });
        if (isDir) visit(d && !d.prune ? d.state : undefined, p, depth + 1);
      }
    };
    visit(m.rootState(), '', 1);
    return out;
  }

  test('the same answers as matching each whole path against every pattern, over 400 random cases', () => {
    const r = rng(19);
    for (let n = 0; n < 400; n++) {
      const patterns = randomPatterns(r);
      const m = new PatternMatcher(patterns);
      for (const [p, d] of walk(m)) {
        const isDir = p.split('/').length < 3;
        const want = { excluded: m.matches(p), prune: isDir && m.matches(p) && m.canPruneDir(p) };
        if (d === undefined) {
          // Below a pruned directory: excluded, and nothing could re-include it.
          expect({ patterns, p, excluded: want.excluded }).toEqual({ patterns, p, excluded: true });
        } else {
          expect({ patterns, p, ...d }).toEqual({ patterns, p, ...want });
        }
      }
    }
  });

  test('stateOf a subdirectory decides its entries like the walk from the root', () => {
    const m = new PatternMatcher(['a/**/x.log', '!a/b/x.log', 'b', '*/keep']);
    const state = m.stateOf('a/b');
    expect(m.entry(state, 'x.log', false).excluded).toBe(false);
    expect(m.entry(m.stateOf('a/ab'), 'x.log', false).excluded).toBe(true);
    expect(m.entry(m.stateOf('a'), 'keep', false).excluded).toBe(true);
  });
});

describe('loadDockerignore', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kiln-dockerignore-'));
    await mkdir(path.join(dir, 'ctx'));
    await mkdir(path.join(dir, 'docker'));
    await writeFile(path.join(dir, 'ctx', '.dockerignore'), 'from-context\n');
    await writeFile(path.join(dir, 'docker', 'app.Dockerfile.dockerignore'), 'from-dockerfile\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('<Dockerfile>.dockerignore next to the Dockerfile wins', async () => {
    const d = await loadDockerignore(path.join(dir, 'ctx'), path.join(dir, 'docker', 'app.Dockerfile'));
    expect(d.source).toBe(path.join(dir, 'docker', 'app.Dockerfile.dockerignore'));
    expect([d.matcher.matches('from-dockerfile'), d.matcher.matches('from-context')]).toEqual([true, false]);
  });

  test('else <context>/.dockerignore', async () => {
    const d = await loadDockerignore(path.join(dir, 'ctx'), path.join(dir, 'ctx', 'Dockerfile'));
    expect(d.source).toBe(path.join(dir, 'ctx', '.dockerignore'));
    expect(d.matcher.matches('from-context')).toBe(true);
  });

  test('else nothing is excluded', async () => {
    const d = await loadDockerignore(path.join(dir, 'docker'), path.join(dir, 'docker', 'Dockerfile'));
    expect(d.source).toBeUndefined();
    expect(d.matcher.matches('anything')).toBe(false);
  });

  test('errors name the file that was read and the line', async () => {
    await writeFile(path.join(dir, 'docker', 'bad.Dockerfile.dockerignore'), '# ok\n[\n');
    await expect(
      loadDockerignore(path.join(dir, 'ctx'), path.join(dir, 'docker', 'bad.Dockerfile')),
    ).rejects.toThrow(
      `${path.join(dir, 'docker', 'bad.Dockerfile.dockerignore')}:2: syntax error in pattern "[": unterminated [`,
    );
  });
});
