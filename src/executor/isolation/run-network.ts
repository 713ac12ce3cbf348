/**
 * RUN --network, in one place: which namespaces a RUN's network gets and
 * what the sandbox sets up in them.
 *
 *  default  the host's network (as BuildKit's default on a host: no
 *           network namespace of its own yet)
 *  host     the host's network
 *  none     a new, empty network namespace with only `lo`, brought up
 */

import type { NetworkMode } from './sandbox.js';
import { q } from './script-quote.js';

/** util-linux unshare flags for the RUN's network. */
export function networkUnshareFlags(mode: NetworkMode): string[] {
  return mode === 'none' ? ['--net'] : [];
}

/** Setup script lines run inside the new namespaces, before pivot_root. */
export function networkSetupLines(mode: NetworkMode, ip: string | undefined): string[] {
  return mode === 'none' && ip ? [`${q(ip)} link set lo up 2>/dev/null || :`] : [];
}
