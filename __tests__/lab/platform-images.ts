/**
 * Helpers of the multi-platform tests: one platform's image of a reference
 * (index or image) unpacked with skopeo + umoci, and the matrix-and-merge
 * path run as separate `kiln` processes (one --push-by-digest build per
 * platform, then `kiln index create`).
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { kilnProcess } from './kiln-process.js';

const run = promisify(execFile);

/** skopeo copy (--override-arch) into an OCI layout under `dir`, umoci unpack; the bundle's rootfs. */
export async function unpackPlatform(ref: string, arch: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await run('skopeo', [
    'copy',
    '--src-tls-verify=false',
    '--override-arch',
    arch,
    '--override-os',
    'linux',
    `docker://${ref}`,
    `oci:${dir}/oci:img`,
  ]);
  await run('umoci', ['unpack', '--image', `${dir}/oci:img`, `${dir}/bundle`]);
  return `${dir}/bundle/rootfs`;
}

/** `kiln build` arguments every process of a test shares (reproducible, a plain-HTTP registry). */
export function cliBuild(context: string, registry: string, workspace: string): string[] {
  return [
    'build',
    '--context',
    context,
    '--insecure-registry',
    registry,
    '--reproducible',
    '--workspace',
    workspace,
  ];
}

/**
 * The matrix: each platform built by its own process with --push-by-digest
 * into `repo` (in parallel, as runners would), then merged by
 * `kiln index create --tag tag`, in the platforms' order.
 */
export async function buildSplit(
  build: string[],
  registry: string,
  repo: string,
  platforms: readonly string[],
  tag: string,
): Promise<{ parts: string[]; merged: string }> {
  const parts = await Promise.all(
    platforms.map(async (p) =>
      (await kilnProcess([...build, '--platform', p, '--push-by-digest', '--destination', repo])).trim(),
    ),
  );
  const merged = (
    await kilnProcess([
      'index',
      'create',
      '--insecure-registry',
      registry,
      '--tag',
      `${repo}:${tag}`,
      ...parts.map((d) => `${repo}@${d}`),
    ])
  ).trim();
  return { parts, merged };
}
