/**
 * Whether Kiln runs inside a container, and Kiln's own installation: the two
 * things an in-place build checks before it rewrites `/`.
 *
 * A container is recognised by what the runtimes leave: Docker's
 * /.dockerenv, Podman's /run/.containerenv, a Kubernetes pod's service
 * environment, a container runtime's cgroup, an overlay root filesystem.
 * Kiln is "self-contained" when its Node binary loads no library from the
 * filesystem the build replaces: its ELF interpreter lies in Kiln's own
 * directory (the Kiln image's /kiln/bin/node is patched so) or it has none.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import type { Mount } from './mount-table.js';

export interface ContainerEvidence {
  /** What showed it is a container; undefined when nothing did. */
  evidence: string | undefined;
}

const RUNTIME_CGROUP = /\/(docker|kubepods|containerd|crio|libpod|actions_job|lxc)[/.-]/;

/** Evidence that this process runs in a container (files, environment, cgroups, mounts). */
export function detectContainer(
  env: NodeJS.ProcessEnv = process.env,
  mounts: readonly Mount[] = [],
  exists: (p: string) => boolean = existsSync,
  read: (p: string) => string | undefined = readOrUndefined,
): ContainerEvidence {
  if (exists('/.dockerenv')) return { evidence: 'Docker (/.dockerenv)' };
  if (exists('/run/.containerenv')) return { evidence: 'Podman (/run/.containerenv)' };
  if (env.KUBERNETES_SERVICE_HOST) return { evidence: 'a Kubernetes pod (KUBERNETES_SERVICE_HOST)' };
  if (env.container) return { evidence: `container=${env.container}` };
  const cgroup = read('/proc/self/cgroup');
  const m = cgroup ? RUNTIME_CGROUP.exec(cgroup) : null;
  if (m) return { evidence: `a ${m[1]} cgroup (/proc/self/cgroup)` };
  const root = mounts.filter((x) => x.point === '/').pop();
  if (root && /^(overlay|fuse-overlayfs|aufs)$/.test(root.fsType)) {
    return { evidence: `an ${root.fsType} root filesystem` };
  }
  return { evidence: undefined };
}

/** CAP_SYS_ADMIN in this process's effective capabilities. */
function hasSysAdmin(read: (p: string) => string | undefined): boolean {
  const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(read('/proc/self/status') ?? '')?.[1];
  return hex !== undefined && (BigInt(`0x${hex}`) & (1n << 21n)) !== 0n;
}

/**
 * Evidence that this is a container whose `/` a build may take over: the
 * markers of detectContainer(), unless this looks like a machine made from
 * a container image (a VM or a chroot with a copied /.dockerenv): full
 * privileges (CAP_SYS_ADMIN) on a root filesystem that is a block device.
 */
export function detectBuildContainer(
  env: NodeJS.ProcessEnv = process.env,
  mounts: readonly Mount[] = [],
  exists: (p: string) => boolean = existsSync,
  read: (p: string) => string | undefined = readOrUndefined,
): ContainerEvidence & { machine?: string } {
  const found = detectContainer(env, mounts, exists, read);
  if (!found.evidence) return found;
  const root = mounts.filter((x) => x.point === '/').pop();
  if (root?.source.startsWith('/dev/') && hasSysAdmin(read)) {
    return {
      evidence: undefined,
      machine: `${found.evidence}, but Kiln has CAP_SYS_ADMIN and / is the block device ${root.source} (${root.fsType}): a machine, not a container`,
    };
  }
  return found;
}

function readOrUndefined(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** The program interpreter (PT_INTERP) of an ELF file; undefined when static, or not a 64-bit ELF. */
export function elfInterpreter(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64);
    if (readSync(fd, head, 0, 64, 0) < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) {
      return undefined;
    }
    const le = head[5] === 1;
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u64 = (b: Buffer, o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
    const phoff = u64(head, 32);
    const phentsize = u16(head, 54);
    const phnum = u16(head, 56);
    const ph = Buffer.alloc(phentsize);
    for (let i = 0; i < phnum; i++) {
      readSync(fd, ph, 0, phentsize, phoff + i * phentsize);
      const type = le ? ph.readUInt32LE(0) : ph.readUInt32BE(0);
      if (type !== 3) continue; // PT_INTERP
      const offset = u64(ph, 8);
      const size = u64(ph, 32);
      const buf = Buffer.alloc(size);
      readSync(fd, buf, 0, size, offset);
      return buf.toString('latin1').replace(/\0.*$/s, '');
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export interface KilnInstallation {
  /** The directory Kiln lives in (its Node, its code): kept out of in-place builds. */
  home: string;
  node: string;
  /** Why Kiln would break when `/` is replaced; undefined when it is self-contained. */
  notSelfContained?: string;
}

function commonDir(a: string, b: string): string {
  const x = a.split('/');
  const y = b.split('/');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return x.slice(0, i).join('/') || '/';
}

/**
 * Where Kiln is installed: KILN_HOME (the Kiln image sets /kiln), else the
 * directory its Node binary and its entry script share.
 */
export function kilnInstallation(
  env: NodeJS.ProcessEnv = process.env,
  execPath = process.execPath,
  script = process.argv[1] ?? execPath,
): KilnInstallation {
  const node = realpathSync(execPath);
  const home = env.KILN_HOME
    ? posix.normalize(env.KILN_HOME)
    : commonDir(dirname(node), dirname(realpathSync(script)));
  const under = (p: string) => home !== '/' && (p === home || p.startsWith(`${home}/`));
  let notSelfContained: string | undefined;
  if (home === '/') {
    notSelfContained = `Node (${node}) and Kiln (${script}) share no directory but /`;
  } else if (!under(node)) {
    notSelfContained = `Node (${node}) is outside Kiln's directory ${home}`;
  } else {
    const interp = elfInterpreter(node);
    if (interp !== undefined && !under(interp)) {
      notSelfContained = `Node (${node}) loads its C library through ${interp}, which the build replaces`;
    }
  }
  return { home, node, ...(notSelfContained ? { notSelfContained } : {}) };
}
