/**
 * Golden tests: each golden/<name>.Dockerfile is parsed and planned, and the
 * `kiln parse` report must equal golden/<name>.Dockerfile.golden (JSON).
 * After an intended change, regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { parseReport } from '../../src/cli/parse-command.js';
import { parseDockerfile } from '../../src/dockerfile/dockerfile.js';
import { planStages } from '../../src/dockerfile/stages.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
// UPDATE_GOLDEN=1 rewrites the fixtures (review the diff); never under CI, where the test would then pass by construction.
const update = process.env.UPDATE_GOLDEN === '1' && process.env.CI !== 'true';

/** Plan options per fixture (build args, target); platforms are fixed so the goldens do not depend on the host. */
const OPTIONS: Record<string, { buildArgs?: Record<string, string>; target?: string }> = {
  'multistage.Dockerfile': { buildArgs: { GO_VERSION: '1.23', UNUSED: 'x' } },
  'onbuild-base.Dockerfile': { target: 'app' },
};

const fixtures = readdirSync(dir).filter((f) => f.endsWith('.Dockerfile'));

describe('golden Dockerfiles', () => {
  test('there are fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
  });

  test.each(fixtures)('%s', (name) => {
    const text = readFileSync(path.join(dir, name), 'utf8');
    const df = parseDockerfile(text, name);
    const opts = OPTIONS[name] ?? {};
    const plan = planStages(df, {
      buildArgs: new Map(Object.entries(opts.buildArgs ?? {})),
      ...(opts.target ? { target: opts.target } : {}),
      buildPlatform: { os: 'linux', architecture: 'amd64' },
      targetPlatform: { os: 'linux', architecture: 'arm64' },
    });
    const actual = `${JSON.stringify(parseReport(df, plan), null, 2)}\n`;
    const goldenFile = path.join(dir, `${name}.golden`);
    if (update) writeFileSync(goldenFile, actual);
    expect(actual).toBe(readFileSync(goldenFile, 'utf8'));
  });
});
