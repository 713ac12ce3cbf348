/**
 * The setup script the sandbox runs as PID 1 of its new namespaces, with a
 * clean environment. It builds a "jail": a fresh tmpfs holding only the RUN's
 * root (bind-mounted at /newroot, with /proc, /dev, /sys, hosts and
 * resolv.conf mounted in it) and read-only binds of the few host binaries
 * needed after the switch. It pivot_roots into the jail and unmounts the old
 * root, so no path to the host filesystem (the workspace included) is left
 * in the mount namespace. Then:
 *
 *   kiln-seccomp  the seccomp filter (seccomp/), unless --security=insecure
 *   setpriv  bounding set = Docker's default capabilities (CAP_NET_RAW only
 *            on the host's network); gid + groups
 *   env -i   K=V… (the safe part of the image env; see sandbox-env.ts)
 *   unshare  --root=/newroot --wd=CWD [--setuid=UID]: chroot, chdir, setuid, exec
 *
 * RUN --mount (mounts-script.ts) and the network (run-network.ts) are set
 * up before the pivot; --security=insecure keeps every capability, the
 * host's device nodes, an unmasked /proc and a writable /sys.
 *
 * chroot inside a pivoted jail: a process that escapes the chroot (it has
 * CAP_SYS_CHROOT, as under Docker) only reaches the jail: a tmpfs with
 * read-only host binaries and libraries, never the workspace or host data.
 * Everything variable is single-quoted or passed as positional arguments.
 */
import { dirname } from 'node:path';
import type { HostTools } from './host-tools.js';
import { type PlacedMount, runMountLines } from './mounts-script.js';
import { networkSetupLines, type RunNetwork } from './run-network.js';
import type { IsolationKind, MountTargets, NetworkMode, RunUser, SecurityMode } from './sandbox.js';
import { q } from './script-quote.js';

/** Docker's default capability set (moby oci/caps/defaults.go). */
export const DOCKER_DEFAULT_CAPS = [
  'chown',
  'dac_override',
  'fowner',
  'fsetid',
  'kill',
  'setgid',
  'setuid',
  'setpcap',
  'net_bind_service',
  'net_raw',
  'sys_chroot',
  'mknod',
  'audit_write',
  'setfcap',
];

/** Docker's masked and read-only paths (moby oci/defaults.go). */
const MASKED_PROC = [
  'asound',
  'acpi',
  'interrupts',
  'kcore',
  'keys',
  'latency_stats',
  'timer_list',
  'timer_stats',
  'sched_debug',
  'scsi',
];
const READONLY_PROC = ['bus', 'fs', 'irq', 'sys', 'sysrq-trigger'];
const MASKED_SYS = ['firmware', 'devices/virtual/powercap'];
const DEV_NODES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

export interface ScriptInput {
  kind: IsolationKind;
  tools: HostTools;
  /** Empty host directory the jail tmpfs is mounted on. */
  jail: string;
  root: string;
  mounts: MountTargets;
  network: NetworkMode;
  /** How the network is made (run-network.ts). */
  net: RunNetwork;
  /** Host file of the seccomp loader (seccomp/loader.ts); absent: no filter. */
  seccompLoader?: string;
  hostname: string;
  /** Host files bind-mounted read-only at mounts.hosts / mounts.resolvConf. */
  hostsFile?: string;
  resolvConfFile?: string;
  user: RunUser;
  /** Host files bind-mounted read-only at /dev/pipes/<name>. */
  pipes?: { name: string; file: string }[];
  /** RUN --mount, placed (mounts-script.ts). */
  runMounts?: PlacedMount[];
  /** `NAME=${VAR} …`: secret environment variables, expanded by env -S from the setup environment. */
  secretEnvAssignments?: string;
  /** Default 'sandbox'. */
  security?: SecurityMode;
}

/**
 * The fd the script writes to: "net" when its network namespace exists and
 * waits for slirp4netns, "ok" once the jail is ready.
 */
export const STATUS_FD = 3;
/** The fd the script reads "go" from once slirp4netns is attached (only with a slirp network). */
export const GO_FD = 4;
/** Where the seccomp loader is in the jail. */
const SECCOMP_LOADER = '/kiln-seccomp';

function closeFds(shell: string, keepGo: boolean): string[] {
  const isBash = shell.endsWith('/bash');
  const keep = keepGo ? `0|1|2|${STATUS_FD}|${GO_FD}` : `0|1|2|${STATUS_FD}`;
  const lines = [
    `for f in /proc/self/fd/*; do n=\${f##*/}`,
    `  case $n in ${keep}) ;; ${isBash ? '*' : '[4-9]'}) eval "exec $n>&-" 2>/dev/null || : ;; esac`,
    'done',
  ];
  if (!isBash) {
    lines.push(
      `for f in /proc/self/fd/*; do n=\${f##*/}`,
      `  if [ \${#n} -gt 1 ]; then echo "kiln sandbox: inherited file descriptor $n cannot be closed by sh; install bash" >&2; exit 125; fi`,
      'done',
    );
  }
  return lines;
}

export function buildScript(s: ScriptInput): string {
  const t = s.tools;
  const J = q(s.jail);
  const N = `${J}/newroot`;
  const at = (rel: string) => `${N}/${q(rel)}`;
  const L: string[] = ['set -e', ...closeFds(t.shell, s.net.slirp)];
  // The network namespace exists: slirp4netns is attached while the jail is made (waited for before the pivot).
  if (s.net.slirp) L.push(`printf net >&${STATUS_FD}`);
  const mount = q(t.mount);
  const mkdir = q(t.mkdir);
  const ln = q(t.ln);

  // The jail.
  L.push(`${mount} -t tmpfs -o mode=0755,nosuid,nodev,size=16m kiln-jail ${J}`);
  const insecure = s.security === 'insecure';
  const seccomp = s.seccompLoader && !insecure ? s.seccompLoader : undefined;
  const jailFiles = [...t.jailFiles, ...(seccomp ? [{ path: SECCOMP_LOADER, source: seccomp }] : [])];
  const dirs = new Set<string>(['/newroot', '/.old', '/proc']);
  for (const f of jailFiles) dirs.add(dirname(f.path));
  L.push(`${mkdir} -p ${[...dirs].map((d) => `${J}${q(d)}`).join(' ')}`);
  for (const f of jailFiles) {
    L.push(`: > ${J}${q(f.path)}`, `${mount} --bind -o ro ${q(f.source)} ${J}${q(f.path)}`);
  }
  L.push(`${mount} --bind -o nodev ${q(s.root)} ${N}`);

  // /proc, with Docker's masks.
  const proc = at(s.mounts.proc);
  L.push(`${mount} -t proc -o nosuid,nodev,noexec proc ${proc}`);
  // Hostname of this UTS namespace, through the new /proc (before /proc/sys turns read-only).
  // (sethostname(2) via hostname(1) where present: in a user namespace the sysctl file is not writable.)
  L.push(
    t.hostname
      ? `${q(t.hostname)} ${q(s.hostname)}`
      : `printf %s ${q(s.hostname)} > ${proc}/sys/kernel/hostname 2>/dev/null || :`,
  );
  for (const m of insecure ? [] : MASKED_PROC) {
    const p = `${proc}/${m}`;
    L.push(
      `if [ -d ${p} ]; then ${mount} -t tmpfs -o ro,nosuid,nodev,noexec,size=0 kiln-masked ${p}; elif [ -e ${p} ]; then ${mount} --bind -o ro /dev/null ${p}; fi`,
    );
  }
  for (const m of insecure ? [] : READONLY_PROC) {
    const p = `${proc}/${m}`;
    L.push(`if [ -e ${p} ]; then ${mount} --bind -o ro ${p} ${p}; fi`);
  }

  // A minimal /dev.
  const dev = at(s.mounts.dev);
  L.push(`${mount} -t tmpfs -o nosuid,nodev,mode=0755,size=65536k tmpfs ${dev}`);
  for (const d of DEV_NODES) L.push(`: > ${dev}/${d}`, `${mount} --bind /dev/${d} ${dev}/${d}`);
  L.push(`${mkdir} ${dev}/pts ${dev}/shm`);
  const ptsGid = s.kind === 'chroot' ? ',gid=5' : '';
  L.push(
    `${mount} -t devpts -o newinstance,ptmxmode=0666,mode=0620,nosuid,noexec${ptsGid} devpts ${dev}/pts`,
  );
  L.push(`${ln} -s pts/ptmx ${dev}/ptmx`);
  L.push(`${mount} -t tmpfs -o nosuid,nodev,noexec,mode=1777,size=65536k shm ${dev}/shm`);
  if (s.pipes?.length) {
    L.push(`${mkdir} ${dev}/pipes`);
    for (const p of s.pipes)
      L.push(`: > ${dev}/pipes/${q(p.name)}`, `${mount} --bind -o ro ${q(p.file)} ${dev}/pipes/${q(p.name)}`);
  }
  L.push(`${ln} -s /proc/self/fd ${dev}/fd`);
  ['stdin', 'stdout', 'stderr'].forEach((n, i) => {
    L.push(`${ln} -s /proc/self/fd/${i} ${dev}/${n}`);
  });
  if (insecure) {
    // --security=insecure: the host's device nodes too (a privileged container's /dev).
    L.push(
      `for d in /dev/*; do if [ ! -L "$d" ] && { [ -c "$d" ] || [ -b "$d" ]; }; then n=\${d##*/}; if [ ! -e ${dev}/"$n" ] && [ ! -L ${dev}/"$n" ]; then : > ${dev}/"$n"; ${mount} --bind "$d" ${dev}/"$n"; fi; fi; done`,
    );
  }

  // /sys read-only (a user namespace without its own network namespace cannot mount sysfs: bind it).
  const sys = at(s.mounts.sys);
  const sysRo = insecure ? '' : 'ro,';
  L.push(
    `${mount} -t sysfs -o ${sysRo}nosuid,nodev,noexec sysfs ${sys} 2>/dev/null || { ${mount} --rbind /sys ${sys}${insecure ? '' : ` && ${mount} -o remount,bind,ro ${sys}`}; }`,
  );
  for (const m of insecure ? [] : MASKED_SYS) {
    const p = `${sys}/${m}`;
    L.push(`if [ -d ${p} ]; then ${mount} -t tmpfs -o ro,nosuid,nodev,noexec,size=0 kiln-masked ${p}; fi`);
  }

  if (s.mounts.hosts && s.hostsFile) L.push(`${mount} --bind -o ro ${q(s.hostsFile)} ${at(s.mounts.hosts)}`);
  if (s.mounts.resolvConf && s.resolvConfFile) {
    L.push(`${mount} --bind -o ro ${q(s.resolvConfFile)} ${at(s.mounts.resolvConf)}`);
  }

  L.push(...runMountLines(t, s.kind, J, N, s.runMounts ?? []));
  L.push(...networkSetupLines(s.network, t.ip));
  if (s.net.slirp) L.push(`read -r go <&${GO_FD}`, `exec ${GO_FD}<&-`);

  // Into the jail; the old root goes away.
  L.push(`${mount} -t proc -o nosuid,nodev,noexec proc ${J}/proc`);
  L.push(`cd ${J}`, `${q(t.pivotRoot)} . .old`, 'cd /');
  L.push(`${q(t.umount)} -l /.old`, `${q(t.umount)} -l /proc`);
  L.push(`printf ok >&${STATUS_FD}`, `exec ${STATUS_FD}>&-`);

  // CAP_NET_RAW only on the host's network, asked for (a raw socket there reads the host's traffic).
  const caps = DOCKER_DEFAULT_CAPS.filter((c) => c !== 'net_raw' || s.net.netRaw);
  const setpriv = [
    // The filter is installed first, with every capability still held: no no_new_privs, so setuid programs work.
    ...(seccomp ? [SECCOMP_LOADER] : []),
    q(t.setpriv),
    ...(insecure ? [] : [`--bounding-set=-all,${caps.map((c) => `+${c}`).join(',')}`]),
    '--inh-caps=-all',
  ];
  if (s.kind === 'chroot') {
    setpriv.push(`--regid=${s.user.gid}`);
    setpriv.push(s.user.groups.length ? `--groups=${s.user.groups.join(',')}` : '--clear-groups');
  }
  // env -S (no option parsing after it, so no `--`): expands ${VAR} from the environment.
  const env = s.secretEnvAssignments ? `-i -S ${q(s.secretEnvAssignments)}` : '-i --';
  L.push(`exec ${setpriv.join(' ')} -- ${q(t.env)} ${env} "$@"`);
  return `${L.join('\n')}\n`;
}

/** The arguments after the script: env entries, then the final unshare and the command. */
export function finalArgs(
  tools: HostTools,
  direct: string[],
  cwd: string,
  user: RunUser,
  cmd: string[],
): string[] {
  const su = user.uid !== 0 ? [`--setuid=${user.uid}`] : [];
  return [...direct, tools.unshare, '--root=/newroot', `--wd=${cwd}`, ...su, '--', ...cmd];
}
