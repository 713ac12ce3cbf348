/**
 * Choosing the isolation of a build, and the probe the action asks for
 * before it decides how to run Kiln (in process, or as root with sudo).
 */
import type { XattrAccess } from '../../archive/xattr.js';
import type { Logger } from '../../log.js';
import type { BuildOptions, IsolationRequest, SnapshotMode } from '../options.js';
import type { Workspace } from '../workspace.js';
import type { Isolation } from './isolation.js';
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
}

export function createIsolation(settings: IsolationSettings): Isolation {
  return new NamespaceIsolation(settings);
}

/** Whether RUN steps can run here with `kind` isolation: true, or why not. */
export async function probeIsolation(kind: 'chroot' | 'rootless', log: Logger): Promise<true | string> {
  const s = await selectSandbox(kind, log);
  return isUnavailable(s) ? s.unavailable : true;
}
