/** Key traces: what a miss reports as changed, compared with the trace stored under the same parent. */
import { describe, expect, test } from '@jest/globals';
import { EarlierStepChanged, explaining, NothingAfterBase } from '../../src/cache/explain.js';
import { CacheKeyBuilder } from '../../src/cache/key.js';
import { explainDifference, type KeyTrace, TRACE_MAX_LABELS } from '../../src/cache/key-trace.js';
import type { LayerCache } from '../../src/cache/layer-cache.js';

const P = 'p'.repeat(64);

function copyKey(files: Record<string, string>, env: string[] = []): CacheKeyBuilder {
  const sources = new CacheKeyBuilder('sources');
  for (const [f, d] of Object.entries(files)) sources.field('src', [f, 'file', '644', d].join('\0'));
  return new CacheKeyBuilder(P).field('step', 'copy').list('env', env).include('sources', sources);
}

describe('key traces', () => {
  test('name the file, the variable, the field that changed; the key does not change with recording', () => {
    const before = copyKey({ 'a.txt': '1', 'b.txt': '2' }, ['V=1', 'W=1']);
    const after = copyKey({ 'a.txt': '1', 'b.txt': '3', 'c.txt': '4' }, ['V=2', 'W=1']);
    expect(explainDifference(before.trace(), after.trace())).toBe(
      'variable V changed, file b.txt changed, file c.txt added',
    );
    expect(explainDifference(after.trace(), before.trace())).toMatch(/file c\.txt removed$/);
    expect(before.digest()).toBe(copyKey({ 'a.txt': '1', 'b.txt': '2' }, ['V=1', 'W=1']).digest());
    expect(explainDifference(before.trace(), before.trace())).toMatch(/the same inputs/);
  });

  test('more than three differences are counted', () => {
    const a = copyKey({ a: '1', b: '1', c: '1', d: '1', e: '1' });
    const b = copyKey({ a: '2', b: '2', c: '2', d: '2', e: '2' });
    expect(explainDifference(a.trace(), b.trace())).toBe(
      'file a changed, file b changed, file c changed and 2 more',
    );
  });

  test('a large COPY is summarised by directory, and still says where', () => {
    const files = (changed: string) => {
      const out: Record<string, string> = {};
      for (let i = 0; i < 3000; i++) out[`node_modules/pkg${i % 30}/lib/f${i}.js`] = '1';
      out['node_modules/pkg7/lib/f7.js'] = changed;
      return out;
    };
    const t1 = copyKey(files('1')).trace();
    const t2 = copyKey(files('2')).trace();
    expect(Object.keys(t1.fields).length).toBeLessThanOrEqual(TRACE_MAX_LABELS);
    expect(explainDifference(t1, t2)).toBe('files in node_modules/pkg7/lib/ changed');
  });
});

describe('explaining cache', () => {
  function backend(stored: Map<string, KeyTrace>): LayerCache {
    return {
      name: 'fake',
      lookup: async () => ({ hit: false, reason: 'no entry' }),
      store: (_k, _l, trace) => {
        if (trace) stored.set(trace.parent, trace);
      },
      previousTrace: async (p) => stored.get(p),
      flush: async () => [],
    };
  }

  test('a new base, then an earlier step, then a diff against the last trace under the same parent', async () => {
    const stored = new Map<string, KeyTrace>();
    const first = explaining(backend(stored));
    const step1 = copyKey({ a: '1' });
    expect(await first.explain!(step1.trace())).toBe(NothingAfterBase);
    first.store(step1.digest(), undefined, step1.trace());
    const step2 = new CacheKeyBuilder(step1.digest()).field('step', 'run').list('argv', ['make']);
    expect(await first.explain!(step2.trace())).toBe(EarlierStepChanged);
    const second = explaining(backend(stored));
    expect(await second.explain!(copyKey({ a: '2' }).trace())).toBe('file a changed');
  });
});
