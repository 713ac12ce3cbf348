/**
 * Choosing the RUN isolation. `auto`: chroot when root, else rootless when a
 * probe (the real sandbox set up around an empty root) succeeds. When none
 * works the result says why and what to do; the executor can still build a
 * Dockerfile without RUN.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setting } from '../../hints.js';
import type { Logger } from '../../log.js';
import type { IsolationRequest } from '../options.js';
import { discoverHostTools, type HostTools } from './host-tools.js';
import { NamespaceSandbox } from './namespace.js';
import { type IsolationKind, type Sandbox, SandboxError, type SandboxUnavailable } from './sandbox.js';

export interface SelectSandboxOptions {
  /** Where per-run scratch files go (the build workspace); default the OS temp dir. */
  scratchDir?: string;
}

const ROOT_HINT = 'run Kiln as root (e.g. with sudo; GitHub-hosted runners allow passwordless sudo)';
const USERNS_HINT =
  'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces>0; on Ubuntu 23.10+ also kernel.apparmor_restrict_unprivileged_userns=0)';

async function probe(
  kind: IsolationKind,
  tools: HostTools,
  scratchDir: string,
  log: Logger,
): Promise<Sandbox> {
  const sandbox = new NamespaceSandbox(kind, tools, { scratchDir, log });
  const root = await mkdtemp(join(scratchDir, `probe-${kind}-`));
  try {
    // The command does not exist: reaching it (exit 127) proves the whole setup works.
    const r = await sandbox.run({
      root,
      argv: ['/kiln-probe'],
      env: [],
      cwd: '/',
      user: { uid: 0, gid: 0, groups: [] },
      network: 'default',
    });
    if (r.exitCode !== 127) throw new SandboxError(`the probe run ended with exit ${r.exitCode}`, r.tail);
    return sandbox;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * The probe with everything the host offers; when it fails, again without
 * the RUN's own network, then without the seccomp filter too. A sandbox
 * that works only without them says why (`tools.missing`), and each RUN
 * that goes without them warns.
 */
async function probeDegrading(
  kind: IsolationKind,
  tools: HostTools,
  scratchDir: string,
  log: Logger,
): Promise<Sandbox> {
  try {
    return await probe(kind, tools, scratchDir, log);
  } catch (e) {
    const without = { ...tools, missing: { ...tools.missing } };
    if (tools.slirp4netns) {
      without.slirp4netns = undefined;
      without.missing.slirp4netns = `slirp4netns does not work here: ${reason(e)}`;
    } else if (tools.seccomp) {
      without.seccomp = undefined;
      without.missing.seccomp = `the seccomp filter cannot be installed here: ${reason(e)}`;
    } else throw e;
    log.debug(
      `RUN sandbox probe: ${kind} failed (${reason(e)}); trying without ${tools.slirp4netns ? 'slirp4netns' : 'seccomp'}`,
    );
    try {
      return await probeDegrading(kind, without, scratchDir, log);
    } catch {
      throw e;
    }
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message.replace(/\s+/g, ' ').trim() : String(e);
}

export async function selectSandbox(
  requested: IsolationRequest,
  log: Logger,
  opts: SelectSandboxOptions = {},
): Promise<Sandbox | SandboxUnavailable> {
  if (requested === 'none') {
    return {
      unavailable: `RUN is disabled by ${setting('isolation', 'none')}; use ${setting('isolation', 'auto')}, chroot or rootless to run RUN steps`,
    };
  }
  const scratchDir = opts.scratchDir ?? tmpdir();
  const isRoot = process.geteuid?.() === 0;
  let tools: HostTools;
  try {
    tools = await discoverHostTools();
  } catch (e) {
    return { unavailable: `the RUN sandbox needs host tools: ${reason(e)}` };
  }
  const failures: string[] = [];
  const attempt = async (kind: IsolationKind): Promise<Sandbox | undefined> => {
    try {
      const s = await probeDegrading(kind, tools, scratchDir, log);
      log.debug(`RUN sandbox probe: ${kind} works`);
      return s;
    } catch (e) {
      failures.push(`${kind}: ${reason(e)}`);
      log.debug(`RUN sandbox probe: ${kind} unavailable: ${reason(e)}`);
      return undefined;
    }
  };

  if (requested === 'chroot' || (requested === 'auto' && isRoot)) {
    if (!isRoot) {
      return {
        unavailable: `${setting('isolation', 'chroot')} needs root (Kiln runs as uid ${process.geteuid?.()}): ${ROOT_HINT}, or use ${setting('isolation', 'rootless')}`,
      };
    }
    const s = await attempt('chroot');
    if (s) return s;
    if (requested === 'chroot') {
      return {
        unavailable: `${setting('isolation', 'chroot')} does not work here (${failures.join('; ')}); Kiln needs mount and PID namespaces (CAP_SYS_ADMIN): in a container, run it privileged`,
      };
    }
  }
  if (requested === 'rootless' || requested === 'auto') {
    const s = await attempt('rootless');
    if (s) return s;
    if (requested === 'rootless') {
      return {
        unavailable: `${setting('isolation', 'rootless')} does not work here (${failures.join('; ')}): ${USERNS_HINT}, or ${ROOT_HINT} and use ${setting('isolation', 'chroot')}`,
      };
    }
  }
  return {
    unavailable: `no RUN isolation works here (${failures.join('; ')}). A Dockerfile without RUN still builds. To run RUN steps: ${ROOT_HINT}, or ${USERNS_HINT}`,
  };
}
