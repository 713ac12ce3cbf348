/**
 * The stage builder, its filesystem steps (COPY, WORKDIR) and the layer
 * cache wrapper, without root and without a registry: FROM scratch stages
 * built directly with buildStage() in a temporary workspace.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parseDockerfile } from '../../../src/dockerfile/dockerfile.js';
import { planStages } from '../../../src/dockerfile/stages.js';
import { type BuildOptions, defaultBuildOptions } from '../../../src/executor/options.js';
import type { StepReport } from '../../../src/executor/result.js';
import { BuildSession } from '../../../src/executor/session.js';
import { FromSources } from '../../../src/executor/stage/from-sources.js';
import { buildStage, type FinishedStage } from '../../../src/executor/stage/stage-builder.js';
import { hostPlatform } from '../../../src/image/platform.js';
import { silentLogger } from '../../../src/log.js';
import { readStream, writeTree } from '../../lab/fixtures.js';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-stage-'));
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

interface Built {
  stages: FinishedStage[];
  steps: StepReport[];
  /** `tar -tv` lines of each layer of the last stage, by layer. */
  layers: string[][];
  /** Per stage: whether its root held any file when the stages were done (nothing extracted on hits). */
  touched: boolean[];
}

/** Builds every stage of `dockerfile` in order with a context of `files`; the session stays open in `use`. */
async function buildAll(
  dockerfile: string,
  files: Record<string, string> = {},
  tweak: (o: BuildOptions) => void = () => undefined,
): Promise<Built> {
  const ctx = await writeTree(await fs.mkdtemp(path.join(tmp, 'ctx-')), files);
  const options = defaultBuildOptions(ctx, path.join(ctx, 'Dockerfile'));
  options.workspace = path.join(tmp, 'ws');
  options.isolation = 'none';
  tweak(options);
  const host = hostPlatform();
  const df = parseDockerfile(dockerfile, 'Dockerfile');
  const plan = planStages(df, { buildArgs: options.buildArgs, buildPlatform: host, targetPlatform: host });
  const session = await BuildSession.open(
    options,
    silentLogger,
    {},
    { platform: host, created: '2024-01-02T03:04:05Z', clampMtime: 0, ignore: undefined },
  );
  try {
    const finished = new Map<number, FinishedStage>();
    const stages: FinishedStage[] = [];
    const steps: StepReport[] = [];
    for (const planned of plan.stages) {
      const r = await buildStage({
        session,
        df,
        plan,
        planned,
        platform: host,
        from: new FromSources(session, finished, host),
        finished,
      });
      finished.set(planned.index, r.stage);
      stages.push(r.stage);
      steps.push(...r.steps);
    }
    if (session.cache) await session.cache.flush();
    const last = stages[stages.length - 1]!;
    const layers: string[][] = [];
    for (const layer of last.image.layers) {
      const file = path.join(tmp, `layer-${Math.random().toString(36).slice(2)}`);
      await fs.writeFile(file, await readStream(layer.openUncompressed()));
      layers.push(
        execFileSync('tar', ['--numeric-owner', '-tvf', file], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map((l) => l.replace(/\s+/g, ' ')),
      );
    }
    const touched: boolean[] = [];
    for (const s of stages) touched.push((await fs.readdir(s.root.dir)).length > 0);
    // Roots are only readable while the session lives: snapshot what tests read.
    for (const s of stages) await s.root.materialize(s.image, s.label);
    const copy = path.join(tmp, `roots-${Math.random().toString(36).slice(2)}`);
    for (const s of stages) await fs.cp(s.root.dir, path.join(copy, String(s.index)), { recursive: true });
    return {
      stages: stages.map((s) => ({ ...s, root: { ...s.root, dir: path.join(copy, String(s.index)) } })),
      steps,
      layers,
      touched,
    };
  } finally {
    await session.dispose();
  }
}

describe('buildStage without root', () => {
  test('config instructions edit the config and history; only filesystem steps make layers', async () => {
    const { stages, steps } = await buildAll(
      [
        'FROM scratch',
        'ENV A=1 B="two words"',
        'LABEL org.example.k=v',
        'COPY hello.txt /srv/',
        'USER 1000:1000',
        'EXPOSE 8080/tcp 53/udp',
        'ENTRYPOINT ["/bin/app"]',
        'CMD ["--serve"]',
      ].join('\n'),
      { 'hello.txt': 'hello\n' },
    );
    const c = stages[0]!.image.config;
    // BuildKit gives a scratch stage the default PATH.
    expect(c.config.Env).toEqual([`PATH=${DEFAULT_PATH}`, 'A=1', 'B=two words']);
    expect(c.config.Labels).toEqual({ 'org.example.k': 'v' });
    expect(c.config.User).toBe('1000:1000');
    expect(Object.keys(c.config.ExposedPorts ?? {})).toEqual(['53/udp', '8080/tcp']);
    expect(c.config.Entrypoint).toEqual(['/bin/app']);
    expect(c.config.Cmd).toEqual(['--serve']);
    expect(c.config.WorkingDir).toBe('/');
    expect(stages[0]!.image.layers).toHaveLength(1);
    expect(c.history?.map((h) => h.created_by)).toEqual([
      'ENV A=1 B=two words',
      'LABEL org.example.k=v',
      'COPY hello.txt /srv/',
      'USER 1000:1000',
      'EXPOSE [53/udp 8080/tcp]',
      'ENTRYPOINT ["/bin/app"]',
      'CMD ["--serve"]',
    ]);
    // Numbered as BuildKit numbers its log lines: FROM scratch and config edits do not count.
    expect(steps.map((s) => [s.stage, s.step, s.cache])).toEqual([
      ['stage-0', 0, 'none'],
      ['stage-0', 0, 'none'],
      ['stage-0', 0, 'none'],
      ['stage-0', 1, 'off'],
      ['stage-0', 0, 'none'],
      ['stage-0', 0, 'none'],
      ['stage-0', 0, 'none'],
      ['stage-0', 0, 'none'],
    ]);
    expect(steps[0]!.instruction).toBe('FROM scratch');
    expect(await fs.readFile(path.join(stages[0]!.root.dir, 'srv/hello.txt'), 'utf8')).toBe('hello\n');
  });

  test('COPY: context files become 0:0 in the layer, --chown and --chmod apply, parents are created', async () => {
    const { layers } = await buildAll(
      ['FROM scratch', 'COPY --chown=1000:1000 --chmod=640 a.txt /app/data/', 'COPY dir/ /tree/'].join('\n'),
      { 'a.txt': 'a', 'dir/x/y.txt': 'y' },
    );
    const first = layers[0]!.join('\n');
    expect(first).toMatch(/^drwxr-xr-x 1000\/1000 .* app\/$/m);
    expect(first).toMatch(/^-rw-r----- 1000\/1000 .* app\/data\/a\.txt$/m);
    const second = layers[1]!.join('\n');
    expect(second).toMatch(/^-rw-r--r-- 0\/0 .* tree\/x\/y\.txt$/m);
  });

  test('WORKDIR makes a layer only when it creates the directory', async () => {
    const { stages, steps } = await buildAll(
      ['FROM scratch', 'WORKDIR /w/x', 'WORKDIR /w', 'WORKDIR x'].join('\n'),
    );
    expect(stages[0]!.image.config.config.WorkingDir).toBe('/w/x');
    expect(steps.map((s) => s.layer !== undefined)).toEqual([false, true, false, false]);
    expect((await fs.stat(path.join(stages[0]!.root.dir, 'w/x'))).isDirectory()).toBe(true);
  });

  test('COPY --from an earlier stage reads its root; a stage FROM a stage starts from its image and scope', async () => {
    const { stages } = await buildAll(
      [
        'FROM scratch AS one',
        'ENV FROM_ONE=yes',
        'COPY a.txt /out/a.txt',
        'FROM one AS two',
        'COPY --from=one /out/a.txt /copied.txt',
      ].join('\n'),
      { 'a.txt': 'A' },
    );
    const two = stages[1]!;
    expect(two.image.config.config.Env).toEqual([`PATH=${DEFAULT_PATH}`, 'FROM_ONE=yes']);
    expect(two.image.layers).toHaveLength(2);
    expect(await fs.readFile(path.join(two.root.dir, 'copied.txt'), 'utf8')).toBe('A');
    expect(await fs.readFile(path.join(two.root.dir, 'out/a.txt'), 'utf8')).toBe('A');
  });

  test('a missing COPY source is an error on its line', async () => {
    await expect(buildAll(['FROM scratch', 'ENV X=1', 'COPY nope.txt /'].join('\n'))).rejects.toThrow(
      /^Dockerfile:3: COPY failed: "nope.txt" not found in the build context/,
    );
  });

  test('with a cache: the second build hits every filesystem step and extracts nothing; a changed source misses from there', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const dockerfile = ['FROM scratch', 'COPY a.txt /a.txt', 'WORKDIR /made', 'COPY b.txt /made/b.txt'].join(
      '\n',
    );
    const files = { 'a.txt': 'a', 'b.txt': 'b' };
    const withCache = (o: BuildOptions) => {
      o.cache.enabled = true;
      o.cache.dir = cacheDir;
    };
    const cached = (r: { steps: StepReport[] }) => r.steps.filter((s) => s.cache !== 'none');
    const first = await buildAll(dockerfile, files, withCache);
    expect(cached(first).map((s) => s.cache)).toEqual(['miss', 'miss', 'miss']);
    expect(first.touched).toEqual([true]);
    const second = await buildAll(dockerfile, files, withCache);
    expect(cached(second).map((s) => s.cache)).toEqual(['hit', 'hit', 'hit']);
    expect(second.touched).toEqual([false]);
    expect(second.stages[0]!.image.digest()).toBe(first.stages[0]!.image.digest());
    expect(second.stages[0]!.key).toBe(first.stages[0]!.key);
    // The last COPY's source changed: the steps before it still hit, and are extracted for it.
    const changed = await buildAll(dockerfile, { ...files, 'b.txt': 'changed' }, withCache);
    expect(cached(changed).map((s) => s.cache)).toEqual(['hit', 'hit', 'miss']);
    expect(cached(changed)[2]!.cacheMissReason).toBe('file b.txt changed');
    expect(changed.touched).toEqual([true]);
    expect(await fs.readFile(path.join(changed.stages[0]!.root.dir, 'made/b.txt'), 'utf8')).toBe('changed');
  });
});
