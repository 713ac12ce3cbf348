/**
 * The library entry as another tool would use it: `import … from 'kiln'`
 * (the package's exports: the committed bundle and its type declarations).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@jest/globals';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '..');

test("import { parseDockerfile, planStages, StageScope } from 'kiln' works and has types", async () => {
  const script = `
    import { parseDockerfile, planStages, hostPlatform, loadDockerignore, DockerfileError } from 'kiln';
    const df = parseDockerfile('ARG V=1\\nFROM alpine:$V AS a\\nRUN x\\nFROM scratch\\nCOPY --from=a /x /x\\n', 'Dockerfile');
    const plan = planStages(df, { buildArgs: new Map(), buildPlatform: hostPlatform(), targetPlatform: hostPlatform() });
    let err = '';
    try { parseDockerfile('FROM a\\nBOGUS\\n', 'Dockerfile'); } catch (e) { err = e instanceof DockerfileError ? e.message : 'other'; }
    console.log(JSON.stringify({ stages: plan.stages.map((s) => [s.index, s.base]), err, ignore: typeof loadDockerignore }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: repo });
  expect(JSON.parse(stdout)).toEqual({
    stages: [
      [0, { kind: 'image', ref: 'alpine:1' }],
      [1, { kind: 'scratch' }],
    ],
    err: expect.stringMatching(/^Dockerfile:2: unknown instruction/i),
    ignore: 'function',
  });
  const types = await fs.readFile(path.join(repo, 'dist/types/lib.d.ts'), 'utf8');
  expect(types).toContain('parseDockerfile');
});
