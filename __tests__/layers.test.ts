/**
 * The import layers of src/: a module imports only from its own folder and
 * the folders below it. Libraries (registry, cache, image…) know nothing of
 * the executor's BuildOptions; the two front doors (cli, action) share the
 * kaniko flag table in flags/ and never import each other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { ROOT } from './action/helpers.js';

/** What each top-level folder of src/ may import from (besides itself and src/*.ts). */
const ALLOWED: Record<string, string[]> = {
  fs: [],
  git: ['fs'],
  archive: ['fs'],
  image: ['archive', 'fs'],
  dockerfile: ['image', 'archive', 'fs'],
  registry: ['image', 'archive', 'fs'],
  cache: ['registry', 'image', 'archive', 'fs'],
  emulation: ['image', 'archive', 'fs'],
  executor: ['git', 'emulation', 'cache', 'registry', 'dockerfile', 'image', 'archive', 'fs'],
  flags: ['git', 'emulation', 'executor', 'cache', 'registry', 'dockerfile', 'image', 'archive', 'fs'],
  cli: ['git', 'emulation', 'flags', 'executor', 'cache', 'registry', 'dockerfile', 'image', 'archive', 'fs'],
  action: [
    'git',
    'emulation',
    'flags',
    'executor',
    'cache',
    'registry',
    'dockerfile',
    'image',
    'archive',
    'fs',
  ],
};
/** Root modules every folder may use (they import nothing from the folders). */
const BASE = new Set([
  'log.ts',
  'hints.ts',
  'version.ts',
  'executable.ts',
  'interrupt.ts',
  'concurrency.ts',
  'csv-record.ts',
]);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

test('each folder of src/ imports only from the layers below it', () => {
  const src = path.join(ROOT, 'src');
  const wrong: string[] = [];
  for (const file of files(src)) {
    const rel = path.relative(src, file);
    const folder = rel.includes(path.sep) ? rel.split(path.sep)[0]! : undefined;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)[^;]*? from '(\.[^']+)'/gms)) {
      const target = path.relative(src, path.resolve(path.dirname(file), m[1]!)).replace(/\.js$/, '.ts');
      const targetFolder = target.includes(path.sep) ? target.split(path.sep)[0]! : undefined;
      if (folder === undefined) {
        // src/*.ts: entry points (cli.ts, index.ts, lib.ts) may import anything; base modules nothing from folders.
        if (BASE.has(rel) && targetFolder !== undefined) wrong.push(`${rel} → ${target}`);
        continue;
      }
      if (targetFolder === folder) continue;
      if (targetFolder === undefined) {
        if (!BASE.has(target) && !(folder === 'cli' && target === 'cli.ts')) wrong.push(`${rel} → ${target}`);
        continue;
      }
      if (!(ALLOWED[folder] ?? []).includes(targetFolder)) wrong.push(`${rel} → ${target}`);
    }
  }
  expect(wrong).toEqual([]);
});
