/**
 * The context walk: .dockerignore decided entry by entry from compiled
 * patterns (issue 19 item 7).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { IgnoreMatcher, parseDockerignore } from '../../../src/dockerfile/dockerignore.js';
import { Glob } from '../../../src/dockerfile/glob.js';
import { type SourceEntry, SourceTree } from '../../../src/executor/steps/source-tree.js';
import { writeTree } from '../../lab/fixtures.js';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'kiln-source-tree-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function walkAll(tree: SourceTree, source = '.'): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  for (const m of await tree.match(source)) for await (const e of tree.walk(m)) out.push(e);
  return out;
}

describe('.dockerignore in the context walk', () => {
  test('entries are matched by name against compiled patterns: no pattern re-reads a whole path', async () => {
    const files: Record<string, string> = {};
    for (let p = 0; p < 20; p++)
      for (let f = 0; f < 50; f++) files[`pkg${p}/src/f${f}.${f % 3 ? 'go' : 'log'}`] = '';
    const ctx = await writeTree(path.join(tmp, 'many'), files);
    const patterns = [
      ...Array.from({ length: 100 }, (_, i) => `**/*.tmp${i}`),
      ...Array.from({ length: 100 }, (_, i) => `pkg${i}/**/*.log`),
      '!pkg3/src/f3.log',
    ];
    const tree = new SourceTree(
      ctx,
      'build context',
      new IgnoreMatcher(parseDockerignore(patterns.join('\n'))),
    );
    const whole = jest.spyOn(Glob.prototype, 'matchesCodePoints');
    try {
      const kept = (await walkAll(tree)).map((e) => e.rel);
      expect(kept).toContain('pkg3/src/f3.log');
      expect(kept).not.toContain('pkg3/src/f0.log');
      expect(kept).toContain('pkg19/src/f1.go');
      expect(kept.filter((r) => r.endsWith('.log'))).toEqual(['pkg3/src/f3.log']);
      // Only the COPY source itself ('.') is matched as a whole path.
      expect(whole.mock.calls.length).toBeLessThan(patterns.length);
    } finally {
      whole.mockRestore();
    }
  });
});
