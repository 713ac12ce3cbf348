/**
 * Choosing the isolation of a build, and the probe the action asks for
 * before it decides how to run Kiln (in process, or as root with sudo).
 *
 * `auto`: the namespace isolation (chroot as root, else rootless), except in
 * a container as root where namespaces are refused and Kiln is
 * self-contained (the Kiln image): there the build runs in place, as kaniko
 * does. `in-place` asks for that directly; since it rewrites `/`, it is
 * refused outside a container (and for a Kiln whose Node loads the system's
 * libraries) unless --force.
 */
import { dirname } from 'node:path';
import type { XattrAccess } from '../../archive/xattr.js';
import type { Logger } from '../../log.js';
import { dockerConfigPath } from '../../registry/credentials.js';
import type { BuildOptions, IsolationRequest, SnapshotMode } from '../options.js';
import type { Workspace } from '../workspace.js';
import { detectBuildContainer, kilnInstallation } from './container-detect.js';
import { InPlaceIsolation } from './in-place-isolation.js';
import type { Isolation } from './isolation.js';
import { KeptPaths } from './kept-paths.js';
import { readMounts } from './mount-table.js';
import { NamespaceIsolation } from './namespace-isolation.js';
import { isUnavailable } from './sandbox.js';
import { selectSandbox } from './sandbox-select.js';

export interface IsolationSettings {
  requested: IsolationRequest;
  snapshotMode: SnapshotMode;
  workspace: Workspace;
  xattrs: XattrAccess | undefined;
  /** The snapshot store, if the build uses one (stage roots are then overlays of its entries). */
  store: BuildOptions['store'];
  log: Logger;
  /** --force: build in place even where Kiln sees no container. */
  force: boolean;
  /** --cleanup: an in-place build puts back the container's own files at its end. */
  cleanup: boolean;
  /** Paths an in-place build leaves alone besides mounts and Kiln's own (see inPlaceKeep). */
  keep: string[];
}

export class IsolationError extends Error {
  override name = 'IsolationError';
}

/** Where the in-place mode is explained. */
const README = 'see "In a container" in Kiln\'s README';

/** What the build needs left alone when it runs in place: its inputs, outputs and credentials. */
export function inPlaceKeep(o: BuildOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  const paths = [
    o.context,
    o.dockerfile,
    dirname(dockerConfigPath({ ...(o.dockerConfig ? { configPath: o.dockerConfig } : {}), env })),
    ...o.registryCertificates.values(),
    ...o.ignorePaths,
  ];
  // RUN --mount's inputs: secret files, agent sockets and keys, the cache mounts' directory.
  for (const s of o.secrets) if (s.file) paths.push(s.file);
  for (const a of o.ssh) {
    if (a.paths.length) paths.push(...a.paths);
    else if (env.SSH_AUTH_SOCK) paths.push(env.SSH_AUTH_SOCK);
  }
  for (const p of [
    o.cache.dir,
    o.cacheMounts.dir,
    o.cacheMounts.archive,
    o.tarPath,
    o.ociLayoutPath,
    o.digestFile,
    o.imageNameWithDigestFile,
  ]) {
    if (p) paths.push(p);
  }
  return paths;
}

export async function createIsolation(settings: IsolationSettings): Promise<Isolation> {
  const { requested, log } = settings;
  if (requested === 'in-place') return inPlace(settings, 'requested with --isolation in-place');
  const namespaces = () => new NamespaceIsolation({ ...settings, hint: containerHint() });
  if (requested !== 'auto' || process.geteuid?.() !== 0) return namespaces();
  const container = detectBuildContainer(process.env, readMounts()).evidence;
  if (!container) return namespaces();
  const kiln = kilnInstallation();
  if (kiln.notSelfContained) {
    log.debug(`in-place isolation not considered: ${kiln.notSelfContained}`);
    return namespaces();
  }
  const sandbox = await selectSandbox('auto', log, { scratchDir: settings.workspace.root });
  if (!isUnavailable(sandbox)) return new NamespaceIsolation({ ...settings, sandbox });
  return inPlace(
    settings,
    `in ${container}, where the namespace sandbox is not available: ${sandbox.unavailable}`,
  );
}

function inPlace(settings: IsolationSettings, why: string): Isolation {
  const { log, force } = settings;
  if (process.geteuid?.() !== 0) {
    throw new IsolationError(
      `--isolation in-place needs root: it replaces the container's files and runs RUN steps as the image's users; run the container as uid 0 (as kaniko needs too), or use --isolation rootless (${README})`,
    );
  }
  const mounts = readMounts();
  const found = detectBuildContainer(process.env, mounts);
  const container = found.evidence;
  const kiln = kilnInstallation();
  if (!container && !force) {
    const seen =
      found.machine ??
      'it found no sign of one (no /.dockerenv, /run/.containerenv, Kubernetes environment, container cgroup or overlay root)';
    throw new IsolationError(
      `--isolation in-place replaces this machine's root filesystem (/) with the image being built, so Kiln does it only inside a container, and ${seen}. Build here with --isolation chroot; if this is a container (or a machine you mean to wipe), add --force (${README})`,
    );
  }
  if (kiln.notSelfContained && !force) {
    throw new IsolationError(
      `--isolation in-place replaces / while Kiln runs, and this Kiln would break: ${kiln.notSelfContained}. Run the Kiln image (Kiln and its own Node under /kiln), or add --force (${README})`,
    );
  }
  if (settings.snapshotMode === 'overlay') {
    throw new IsolationError(
      '--snapshot-mode overlay needs a mount namespace; an in-place build finds its changes with its own walk: drop --snapshot-mode, or use --isolation chroot',
    );
  }
  const kept = new KeptPaths([
    '/proc',
    '/sys',
    '/dev',
    ...mounts.map((m) => m.point).filter((p) => p !== '/'),
    kiln.home === '/' ? kiln.node : kiln.home,
    // kaniko's own directories (its debug image's shell, its docker config), and container markers.
    '/kaniko',
    '/busybox',
    '/.dockerenv',
    '/run/.containerenv',
    settings.workspace.root,
    ...settings.keep,
  ]);
  log.info(`RUN isolation: in-place (${why}${container ? '' : '; --force'})`);
  if (settings.store) {
    log.warn(
      `--store ${settings.store.dir} is not used by an in-place build: its stage roots are overlay mounts, which need a mount namespace (the layer cache, --cache-dir and cache mounts still work)`,
    );
  }
  log.debug(`in-place: kept out of the build: ${kept.list().join(' ')}`);
  return new InPlaceIsolation({
    root: '/',
    kept,
    workspace: settings.workspace,
    xattrs: settings.xattrs,
    log,
    node: kiln.node,
    cleanup: settings.cleanup,
  });
}

/** Added to "RUN is not possible here" inside a container. */
function containerHint(): string | undefined {
  const container = detectBuildContainer(process.env, readMounts()).evidence;
  if (!container) return undefined;
  return `Kiln runs in ${container} without namespaces: run the Kiln image (ghcr.io/kiln-build/kiln) as root there, and it builds in place, as kaniko does; in a GitHub job, \`container: ghcr.io/kiln-build/kiln:debug\` and a step \`run: kiln build …\` (${README})`;
}

/** Whether RUN steps can run here with `kind` isolation: true, or why not. */
export async function probeIsolation(kind: 'chroot' | 'rootless', log: Logger): Promise<true | string> {
  const s = await selectSandbox(kind, log);
  return isUnavailable(s) ? s.unavailable : true;
}
