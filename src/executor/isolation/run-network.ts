/**
 * RUN --network, in one place: which namespaces a RUN's network gets and
 * what the sandbox sets up in them.
 *
 *  default  a network namespace of its own with outbound access through
 *           slirp4netns (slirp.ts): the internet and package mirrors, never
 *           the host's loopback, abstract unix sockets or traffic. Without
 *           slirp4netns (not installed, or it cannot work here) the host's
 *           network, with a warning when the sandbox is chosen.
 *  host     the host's network (`--network host`, or RUN --network=host with
 *           the network.host entitlement)
 *  none     a new, empty network namespace with only `lo`, brought up
 */

import type { HostTools } from './host-tools.js';
import type { NetworkMode } from './sandbox.js';
import { q } from './script-quote.js';

/** How one RUN's network is made. */
export interface RunNetwork {
  /** util-linux unshare flags. */
  unshareFlags: string[];
  /** slirp4netns is attached to the new namespace before the command starts. */
  slirp: boolean;
  /** The command keeps CAP_NET_RAW: only when the host's network was asked for (`ping` needs it there, as under Docker). */
  netRaw: boolean;
}

export function runNetwork(mode: NetworkMode, tools: Pick<HostTools, 'slirp4netns'>): RunNetwork {
  if (mode === 'none') return { unshareFlags: ['--net'], slirp: false, netRaw: false };
  if (mode === 'host') return { unshareFlags: [], slirp: false, netRaw: true };
  if (tools.slirp4netns) return { unshareFlags: ['--net'], slirp: true, netRaw: false };
  return { unshareFlags: [], slirp: false, netRaw: false };
}

/** Setup script lines run inside the new namespaces, before pivot_root. */
export function networkSetupLines(mode: NetworkMode, ip: string | undefined): string[] {
  return mode === 'none' && ip ? [`${q(ip)} link set lo up 2>/dev/null || :`] : [];
}
