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
import {
  type BuiltImage,
  buildWithBuildah,
  checkImage,
  compareImages,
  type DifferentialLab,
  formatComparison,
  fromRegistry,
  normalizedReference,
  nowSeconds,
  type PreparedCase,
  prepareCase,
  runCommand,
  startLab,
} from '../lab/differential.js';
import { DOCKER, type Dockerd, startDockerd } from '../lab/dockerd.js';
import { removeMountStubs } from '../lab/intended-differences.js';
import { ALL_CASES } from './cases/index.js';

async function buildWithBuildKit(
  lab: DifferentialLab,
  p: PreparedCase,
  dockerHost: string,
): Promise<BuiltImage> {
  const ref = `${lab.registry.host}/peer/${p.case.name}:buildkit`;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOCKER_HOST: dockerHost,
    DOCKER_BUILDKIT: '1',
  };
  const args = ['build', '--network', 'host', '--progress', 'plain', '-f', p.referenceDockerfile, '-t', ref];
  for (const [k, v] of Object.entries(p.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  if (p.case.target) args.push('--target', p.case.target);
  args.push('--no-cache', p.context);
  const startedAt = nowSeconds();
  const log = await runCommand(DOCKER, args, { env });
  await runCommand(DOCKER, ['push', ref], { env });
  return fromRegistry(ref, p, 'buildkit', startedAt, log);
}

/**
 * Where Docker 20.10's BuildKit (v0.8) differs from current BuildKit, which
 * Kiln follows; applied to BuildKit's image here only:
 * - it leaves empty /dev, /proc, /sys after a RUN (run-mount-stubs);
 * - directories inside a tree COPY'd from the context get the time of the
 *   context transfer, not their own: fixed by tonistiigi/fsutil#139
 *   ("receiver: re-apply directory timestamps after copying", BuildKit 0.11);
 *   buildah keeps them, as current BuildKit does.
 */
function currentBuildKit(buildkit: BuiltImage, reference: BuiltImage): string[] {
  const quirks: string[] = [];
  if (removeMountStubs(buildkit.tree)) quirks.push('/dev,/proc,/sys stubs');
  for (const [p, e] of buildkit.tree) {
    const r = reference.tree.get(p);
    if (
      e.type === 'dir' &&
      r?.type === 'dir' &&
      e.mtime >= buildkit.startedAt &&
      r.mtime < reference.startedAt
    ) {
      e.mtime = r.mtime;
      quirks.push(`${p} mtime`);
    }
  }
  return quirks;
}

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
      const quirks = currentBuildKit(buildkit, reference);
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
