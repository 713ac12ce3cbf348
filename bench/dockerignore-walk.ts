/**
 * .dockerignore benchmark (issue 19, item 7): a context of 20,000 files in
 * 200 packages and a .dockerignore of 500 patterns (exact names, globs with
 * `**`, suffixes, prefixes, and `!` exceptions), walked the way COPY . walks
 * the context. Prints the walk time and how many entries were kept.
 * Run: npx tsx bench/dockerignore-walk.ts [packages] [runs]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { IgnoreMatcher, parseDockerignore } from '../src/dockerfile/dockerignore.js';
import { SourceTree } from '../src/executor/steps/source-tree.js';

const packages = Number(process.argv[2] ?? 200);
const runs = Number(process.argv[3] ?? 3);

/** 100 files per package: pkgN/src/{a,b,c,d}/ and pkgN/generated/, pkgN/logs/. */
function makeContext(root: string): number {
  let n = 0;
  for (let p = 0; p < packages; p++) {
    for (const d of ['src/a', 'src/b', 'src/c', 'src/d', 'generated', 'logs/old']) {
      mkdirSync(path.join(root, `pkg${p}`, d), { recursive: true });
    }
    for (let f = 0; f < 100; f++) {
      const dir = ['src/a', 'src/b', 'src/c', 'src/d', 'generated', 'logs/old'][f % 6]!;
      const ext = ['go', 'log', 'tmp3', 'txt', '_test.go'][f % 5]!;
      writeFileSync(path.join(root, `pkg${p}`, dir, `file${f}.${ext}`), '');
      n++;
    }
  }
  return n;
}

function patterns(): string {
  const out: string[] = [];
  for (let i = 0; i < 100; i++) out.push(`pkg${i}/generated`);
  for (let i = 0; i < 100; i++) out.push(`pkg${i * 2}/**/*.log`);
  for (let i = 0; i < 100; i++) out.push(`**/*.tmp${i}`);
  for (let i = 0; i < 100; i++) out.push(`pkg${i}/src/*/*_test.go`);
  for (let i = 0; i < 50; i++) out.push(`cache${i}/**`);
  for (let i = 0; i < 50; i++) out.push(`!pkg${i * 4}/**/file1.log`);
  return `${out.join('\n')}\n`;
}

const root = mkdtempSync(path.join(tmpdir(), 'kiln-bench-ignore-'));
try {
  const files = makeContext(root);
  const ignore = new IgnoreMatcher(parseDockerignore(patterns()));
  const tree = new SourceTree(root, 'build context', ignore);
  const times: number[] = [];
  let kept = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    kept = 0;
    const [top] = await tree.match('.');
    for await (const _ of tree.walk(top!)) kept++;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${files} files, ${ignore.patterns.length} patterns: walk ${(times[Math.floor(runs / 2)]! / 1000).toFixed(2)} s (median of ${runs}), ${kept} entries kept`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
