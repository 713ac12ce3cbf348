/**
 * The lab of the in-place suites: the differential lab (registry with the
 * busybox and layered bases, HTTP server), a Debian base in that registry
 * (`{{debian}}`), our own dockerd with the Kiln image loaded, and the two
 * builds every case gets: Kiln's chroot isolation on the host (in-process)
 * and the Kiln image in an unprivileged container (`docker run`, no
 * --privileged, no --cap-add, default seccomp, `--network host`, the context
 * as a read-only volume), both `--reproducible` into OCI layouts.
 */
import { copyFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import type { ImageIndex } from '../../src/image/manifest.js';
import { streamLogger } from '../../src/log.js';
import type { DiffCase, DifferentialLab, PreparedCase } from './differential.js';
import { startLab } from './differential-lab.js';
import { startDockerd, type TestDockerd } from './dockerd.js';
import { debianRootfsTar, kilnImageTars } from './kiln-image.js';

/** What the in-place suites need on the machine (besides root). */
export const IN_PLACE_BINARIES = [
  'dockerd',
  'patchelf',
  'busybox',
  'ldd',
  'getfattr',
  'umoci',
  'skopeo',
  'docker-registry',
];

export interface InPlaceLab {
  lab: DifferentialLab;
  dockerd: TestDockerd;
  /** `{{debian}}`: Debian bookworm minbase in the lab registry (when asked for). */
  debian?: string;
  stop(): Promise<void>;
}

export interface InPlaceLabOptions {
  debian?: boolean;
  /** dockerd's data root on a filesystem this big (disk-full tests). */
  dataSize?: string;
}

export async function startInPlaceLab(opts: InPlaceLabOptions = {}): Promise<InPlaceLab> {
  const images = kilnImageTars();
  const lab = await startLab();
  let dockerd: TestDockerd | undefined;
  try {
    dockerd = await startDockerd({
      insecureRegistries: [lab.registry.host],
      ...(opts.dataSize ? { dataSize: opts.dataSize } : {}),
    });
    const { tar, debugTar } = await images;
    await dockerd.docker(['load', '--input', tar]);
    await dockerd.docker(['load', '--input', debugTar]);
    const debian = opts.debian ? await pushDebian(lab) : undefined;
    const d = dockerd;
    return {
      lab,
      dockerd: d,
      ...(debian ? { debian } : {}),
      async stop() {
        await d.stop();
        await lab.stop();
      },
    };
  } catch (e) {
    await dockerd?.stop().catch(() => undefined);
    await lab.stop();
    throw e;
  }
}

/** Debian minbase as `<registry>/lab/debian:bookworm`, built with Kiln (FROM scratch + ADD rootfs.tar). */
async function pushDebian(lab: DifferentialLab): Promise<string> {
  const ref = `${lab.registry.host}/lab/debian:bookworm`;
  const ctx = join(lab.work, 'debian-base');
  await mkdir(ctx, { recursive: true });
  const tar = await debianRootfsTar();
  await link(tar, join(ctx, 'rootfs.tar')).catch(() => copyFile(tar, join(ctx, 'rootfs.tar')));
  await writeFile(join(ctx, 'Dockerfile'), 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n');
  const options = defaultBuildOptions(ctx, join(ctx, 'Dockerfile'));
  options.destinations = [ref];
  options.insecureRegistries = [lab.registry.host];
  options.reproducible = true;
  options.workspace = join(lab.work, 'ws');
  await build(options, streamLogger({ write: () => undefined }));
  await rm(ctx, { recursive: true, force: true });
  return ref;
}

/** `{{debian}}` too (the differential lab fills the others). */
export function withDebian(c: DiffCase, l: InPlaceLab): DiffCase {
  if (!c.dockerfile.includes('{{debian}}')) return c;
  if (!l.debian) throw new Error(`${c.name} needs {{debian}}: start the lab with { debian: true }`);
  return { ...c, dockerfile: c.dockerfile.replaceAll('{{debian}}', l.debian) };
}

export interface LayoutBuild {
  layout: string;
  /** The manifest digest. */
  digest: string;
  log: string;
}

async function layoutDigest(layout: string): Promise<string> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as ImageIndex;
  return index.manifests[0]!.digest;
}

/** The case built by Kiln in-process with chroot isolation, --reproducible. */
export async function buildChroot(l: InPlaceLab, p: PreparedCase): Promise<LayoutBuild> {
  const layout = join(p.dir, 'chroot-oci');
  const options = defaultBuildOptions(p.context, p.dockerfile);
  options.push = false;
  options.ociLayoutPath = layout;
  options.insecureRegistries = [l.lab.registry.host];
  options.buildArgs = new Map(Object.entries(p.buildArgs));
  options.target = p.case.target;
  options.workspace = join(p.dir, 'chroot-ws');
  options.secrets = p.secrets.map((s) => ({ id: s.id, file: s.file }));
  options.isolation = 'chroot';
  options.reproducible = true;
  const lines: string[] = [];
  try {
    await build(options, streamLogger({ write: (line) => lines.push(line) }));
  } catch (e) {
    throw new Error(`chroot build failed: ${(e as Error).message}\n${lines.slice(-30).join('\n')}`);
  }
  return { layout, digest: await layoutDigest(layout), log: lines.join('\n') };
}

export interface ContainerRun {
  image?: string;
  /** Extra `docker run` flags (before the image). */
  dockerArgs?: string[];
  /** Extra Kiln flags. */
  kilnArgs?: string[];
}

/** The case built by the Kiln image in an unprivileged container, --reproducible. */
export async function buildInContainer(
  l: InPlaceLab,
  p: PreparedCase,
  run: ContainerRun = {},
): Promise<LayoutBuild> {
  const out = join(p.dir, 'in-place-out');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const args = [
    'run',
    '--rm',
    '--network',
    'host',
    '-v',
    `${p.context}:/workspace:ro`,
    '-v',
    `${out}:/kiln/out`,
    ...(p.secrets.length ? ['-v', `${dirname(p.secrets[0]!.file)}:/kiln/secrets:ro`] : []),
    ...(run.dockerArgs ?? []),
    run.image ?? 'kiln:latest',
    '--context',
    '/workspace',
    '--no-push',
    '--oci-layout-path',
    '/kiln/out/layout',
    '--reproducible',
    '--insecure-registry',
    l.lab.registry.host,
    '--verbosity',
    'debug',
  ];
  for (const [k, v] of Object.entries(p.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  for (const s of p.secrets) args.push('--secret', `id=${s.id},src=/kiln/secrets/${basename(s.file)}`);
  if (p.case.target) args.push('--target', p.case.target);
  args.push(...(run.kilnArgs ?? []));
  const r = await l.dockerd.dockerResult(args);
  const log = r.stdout + r.stderr;
  if (r.code !== 0)
    throw new Error(`in-place build failed (exit ${r.code}):\n${log.split('\n').slice(-40).join('\n')}`);
  const layout = join(out, 'layout');
  return { layout, digest: await layoutDigest(layout), log };
}
