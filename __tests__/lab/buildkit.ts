/**
 * Docker's BuildKit as a peer, by hand (not in the test suite: it needs
 * dockerd, see dockerd.ts): a case built with `docker build` and read back
 * from the lab registry, and what sets Docker 20.10's BuildKit (0.8) apart
 * from current BuildKit, which Kiln follows, set aside.
 */
import { parseDockerfile } from '../../src/dockerfile/dockerfile.js';
import {
  type BuiltImage,
  type DiffCase,
  type DifferentialLab,
  fromRegistry,
  normalizedReference,
  nowSeconds,
  type PreparedCase,
  runCommand,
  secretArgs,
} from './differential.js';
import { DOCKER } from './dockerd.js';
import { removeMountStubs } from './intended-differences.js';

export async function buildWithBuildKit(
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
  args.push(...secretArgs(p), '--no-cache', p.context);
  const startedAt = nowSeconds();
  const log = await runCommand(DOCKER, args, { env });
  await runCommand(DOCKER, ['push', ref], { env });
  return fromRegistry(ref, p, 'buildkit', startedAt, log);
}

/** The RUN --mount targets of a Dockerfile (absolute ones, defaults of secrets and agents included). */
function mountTargets(text: string): string[] {
  const out: string[] = [];
  for (const stage of parseDockerfile(text, 'Dockerfile').stages) {
    for (const instr of stage.instructions) {
      if (instr.kind !== 'run') continue;
      let ssh = 0;
      for (const m of instr.mounts) {
        const id = m.options.id ?? m.source ?? '';
        const target =
          m.target ??
          (m.type === 'secret' && m.options.env === undefined
            ? `/run/secrets/${id.split('/').pop()}`
            : m.type === 'ssh'
              ? `/run/buildkit/ssh_agent.${ssh}`
              : undefined);
        if (m.type === 'ssh') ssh++;
        if (target?.startsWith('/')) out.push(target.replace(/\/+$/, ''));
      }
    }
  }
  return out;
}

/**
 * Where Docker 20.10's BuildKit (v0.8) differs from current BuildKit, which
 * Kiln follows; applied to BuildKit's image here only:
 * - it leaves empty /dev, /proc, /sys after a RUN (run-mount-stubs);
 * - it leaves the mount points it made for RUN --mount targets, with the
 *   parents it made for them: current BuildKit removes each that is still
 *   empty (MountStubsCleaner, recursive for Dockerfiles, moby/buildkit#3307
 *   and llb's RemoveMountStubsRecursive), so an empty entry at a mount
 *   target, or above one, that the reference lacks goes;
 * - directories inside a tree COPY'd from the context get the time of the
 *   context transfer, not their own: fixed by tonistiigi/fsutil#139
 *   ("receiver: re-apply directory timestamps after copying", BuildKit 0.11);
 *   buildah keeps them, as current BuildKit does.
 */
export function currentBuildKit(
  buildkit: BuiltImage,
  reference: BuiltImage,
  c: DiffCase,
  dockerfile: string,
): string[] {
  const quirks: string[] = [];
  if (removeMountStubs(buildkit.tree)) quirks.push('/dev,/proc,/sys stubs');
  const normalized = normalizedReference(reference, c).image.tree;
  for (const target of mountTargets(dockerfile)) {
    for (let p = target; p !== '' && p !== '/'; p = p.slice(0, p.lastIndexOf('/'))) {
      const e = buildkit.tree.get(p);
      if (normalized.has(p)) break;
      if (!e) continue; // (0.8 removes some file stubs itself, not their parents)
      const empty =
        e.type === 'dir'
          ? ![...buildkit.tree.keys()].some((k) => k.startsWith(`${p}/`))
          : e.type === 'file' && e.size === 0;
      if (!empty) break;
      buildkit.tree.delete(p);
      quirks.push(`${p} mount stub`);
    }
  }
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
