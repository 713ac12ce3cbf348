#!/usr/bin/env node
// Writes the committed bundles: dist/index.js (the action GitHub runs) and
// dist/cli/index.js (the `kiln` command). With --check, bundles into a temp
// dir and fails when dist/ differs: dist/ is stale relative to src/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const entries = [
  { src: 'src/index.ts', out: '.' },
  { src: 'src/cli-main.ts', out: 'cli' },
  { src: 'src/lib.ts', out: 'lib' },
];
const check = process.argv.includes('--check');

// ncc names modules by their real path relative to this checkout: a
// node_modules that is a symlink into another checkout gives other module ids,
// so the bundle would differ from the one a clean `npm ci` checkout makes.
const modules = path.join(root, 'node_modules');
if (fs.lstatSync(modules, { throwIfNoEntry: false })?.isSymbolicLink()) {
  console.error(
    `${modules} is a symlink (to ${fs.realpathSync(modules)}): the bundle would not match a clean checkout's.\n` +
      'Remove it and run `npm ci` in this checkout, then bundle again.',
  );
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bundle-'));
// mkdtemp makes 0700; dist/ must stay readable by others (e.g. a sudo child, another user).
fs.chmodSync(tmp, 0o755);
try {
  for (const e of entries) {
    execFileSync(
      process.execPath,
      [ncc, 'build', path.join(root, e.src), '-o', path.join(tmp, e.out), '--target', 'es2022', '--quiet'],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );
  }
  // Type declarations of the library entry (package.json "types").
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      path.join(tmp, 'types'),
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  // ncc's asset relocator turns some path expressions into copied "assets"
  // (it once globbed every Dockerfile): the bundles must be code only.
  const expected = new Set(
    entries.flatMap((e) => [`${e.out}/index.js`, `${e.out}/package.json`].map((f) => f.replace(/^\.\//, ''))),
  );
  const stray = listFiles(tmp).filter((f) => !expected.has(f) && !f.startsWith('types/'));
  const relocated = entries.filter((e) =>
    fs.readFileSync(path.join(tmp, e.out, 'index.js'), 'utf8').includes('__nccwpck_require__.ab +'),
  );
  if (stray.length || relocated.length) {
    console.error(
      `ncc relocated assets (rewrite the path expressions it recognised): ${[...stray, ...relocated.map((e) => e.src)].join(', ')}`,
    );
    process.exit(1);
  }
  const dist = path.join(root, 'dist');
  if (check) {
    const diff = compareTrees(tmp, dist);
    if (diff.length) {
      console.error(
        `dist/ is stale relative to src/ (run npm run bundle and commit):\n  ${diff.join('\n  ')}`,
      );
      process.exit(1);
    }
    console.log('dist/ is up to date');
  } else {
    fs.rmSync(dist, { recursive: true, force: true });
    fs.cpSync(tmp, dist, { recursive: true });
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

function listFiles(dir, prefix = '') {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? listFiles(path.join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`],
    );
}

function compareTrees(fresh, committed) {
  const a = new Set(listFiles(fresh));
  const b = new Set(listFiles(committed));
  const out = [];
  for (const f of a) {
    if (!b.has(f)) out.push(`missing: dist/${f}`);
    else if (!fs.readFileSync(path.join(fresh, f)).equals(fs.readFileSync(path.join(committed, f)))) {
      out.push(`differs: dist/${f}`);
    }
  }
  for (const f of b) if (!a.has(f)) out.push(`extra: dist/${f}`);
  return out;
}
