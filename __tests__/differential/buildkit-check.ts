/**
 * Settles disagreements by hand (not a test: it needs dockerd): builds cases
 * with buildah and with Docker's BuildKit, then compares BuildKit's image
 * with buildah's after the intended differences — exactly as the suite
 * compares Kiln's — and checks each case's expectations and layer count on
 * BuildKit's image. Run as root:
 *
 *   node_modules/.bin/tsx __tests__/differential/buildkit-check.ts [case-name…]
 *
 * It starts its own dockerd (own socket, data root and exec root under a
 * temp dir) unless KILN_BUILDKIT_HOST=unix:///path/to/docker.sock names one
 * to use. The registry is on 127.0.0.1, which Docker treats as insecure.
 */
import { readFile } from 'node:fs/promises';
import { buildWithBuildKit, currentBuildKit } from '../lab/buildkit.js';
import {
  type BuiltImage,
  buildWithBuildah,
  checkImage,
  compareImages,
  formatComparison,
  normalizedReference,
  prepareCase,
  startLab,
} from '../lab/differential.js';
import { type Dockerd, startDockerd } from '../lab/dockerd.js';
import { ALL_CASES } from './cases/index.js';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const cases = wanted.length ? ALL_CASES.filter((c) => wanted.includes(c.name)) : ALL_CASES;
  if (cases.length === 0) throw new Error(`no case named ${wanted.join(', ')}`);
  let dockerd: Dockerd | undefined;
  const lab = await startLab();
  let failures = 0;
  try {
    let host = process.env.KILN_BUILDKIT_HOST;
    if (!host) {
      dockerd = await startDockerd();
      host = dockerd.host;
    }
    for (const c of cases) {
      const p = await prepareCase(lab, c);
      let reference: BuiltImage | undefined;
      let buildkit: BuiltImage | undefined;
      try {
        reference = await buildWithBuildah(lab, p);
        buildkit = await buildWithBuildKit(lab, p, host);
      } catch (e) {
        failures++;
        console.log(`✗ ${c.name}: build failed: ${(e as Error).message}`);
        continue;
      }
      const quirks = currentBuildKit(buildkit, reference, c, await readFile(p.referenceDockerfile, 'utf8'));
      if (quirks.length) console.log(`  (BuildKit 0.8 quirks set aside: ${quirks.join(', ')})`);
      const own = checkImage(normalizedReference(reference, c).image, c);
      const cmp = compareImages(reference, buildkit, c);
      const layers = `buildkit layers ${buildkit.layers}${c.layers === undefined ? ' (case states none)' : ''}`;
      if (own.length === 0 && cmp.lines.length === 0) {
        console.log(`✓ ${c.name}: BuildKit ≡ buildah after [${cmp.applied.join(', ')}]; ${layers}`);
        continue;
      }
      failures++;
      console.log(`✗ ${c.name}; ${layers}`);
      for (const l of own) console.log(`  ${l}`);
      if (cmp.lines.length) console.log(formatComparison(c, 'buildah', 'buildkit', cmp));
    }
  } finally {
    await lab.stop();
    if (dockerd) {
      await dockerd.stop();
    }
  }
  console.log(`${cases.length - failures}/${cases.length} cases agree`);
  process.exitCode = failures ? 1 : 0;
}

await main();
