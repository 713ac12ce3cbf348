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

/**
 * A path as an fstab field: libmount reads space, tab, newline and backslash
 * as octal escapes (\040 …).
 */
export function fstabField(path: string): string {
  return path.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * Mounts made by one `mount --all --fstab FILE`: one process for the lot
 * instead of one per mount (a process start is 2–8 ms, and a RUN makes
 * ~35 mounts). The script appends the entries to FILE with printf (a
 * builtin), conditional ones inside shell tests; libmount mounts them in
 * order, a bind with `ro` as bind + read-only remount as `mount --bind -o ro`
 * does, and the first failure fails the script.
 */
class MountBatch {
  private readonly file: string;
  constructor(
    private readonly L: string[],
    private readonly mount: string,
    jail: string,
  ) {
    this.file = q(`${jail}/.kiln-fstab`);
    L.push(`KILN_FSTAB=${this.file}`);
  }

  /** An entry (raw paths: escaped here); `when`: a shell test it is added under. */
  add(source: string, target: string, type: string, options: string, when?: string): void {
    const line = `printf '%s\\n' ${q(`${fstabField(source)} ${fstabField(target)} ${type} ${options} 0 0`)} >> ${this.file}`;
    this.L.push(when ? `if ${when}; then ${line}; fi` : line);
  }

  begin(): void {
    this.L.push(`: > ${this.file}`);
  }

  /** Mounts what was added since begin(). */
  run(): void {
    this.L.push(`${this.mount} --all --fstab ${this.file}`);
  }
}

export function buildScript(s: ScriptInput): string {
  const t = s.tools;
  const J = q(s.jail);
  const N = `${J}/newroot`;
  const at = (rel: string) => `${N}/${q(rel)}`;
  /** Raw (unquoted) path under the new root, for fstab entries. */
  const raw = (rel: string) => `${s.jail}/newroot/${rel}`;
  const L: string[] = ['set -e', ...closeFds(t.shell, s.net.slirp)];
  // The network namespace exists: slirp4netns is attached while the jail is made (waited for before the pivot).
  if (s.net.slirp) L.push(`printf net >&${STATUS_FD}`);
  const mount = q(t.mount);
  const mkdir = q(t.mkdir);
  const ln = q(t.ln);
  const batch = new MountBatch(L, mount, s.jail);

  // The jail, the root in it, /proc and /dev (first batch).
  L.push(`${mount} -t tmpfs -o mode=0755,nosuid,nodev,size=16m kiln-jail ${J}`);
  const insecure = s.security === 'insecure';
  const seccomp = s.seccompLoader && !insecure ? s.seccompLoader : undefined;
  const jailFiles = [...t.jailFiles, ...(seccomp ? [{ path: SECCOMP_LOADER, source: seccomp }] : [])];
  const dirs = new Set<string>(['/newroot', '/.old', '/proc']);
  for (const f of jailFiles) dirs.add(dirname(f.path));
  L.push(`${mkdir} -p ${[...dirs].map((d) => `${J}${q(d)}`).join(' ')}`);
  batch.begin();
  for (const f of jailFiles) {
    L.push(`: > ${J}${q(f.path)}`);
    batch.add(f.source, `${s.jail}${f.path}`, 'none', 'bind,ro');
  }
  batch.add(s.root, `${s.jail}/newroot`, 'none', 'bind,nodev');
  const proc = at(s.mounts.proc);
  const rawProc = raw(s.mounts.proc);
  batch.add('proc', rawProc, 'proc', 'nosuid,nodev,noexec');
  const dev = at(s.mounts.dev);
  const rawDev = raw(s.mounts.dev);
  batch.add('tmpfs', rawDev, 'tmpfs', 'nosuid,nodev,mode=0755,size=65536k');
  batch.run();

  // Hostname of this UTS namespace, through the new /proc (before /proc/sys turns read-only).
  // (sethostname(2) via hostname(1) where present: in a user namespace the sysctl file is not writable.)
  L.push(
    t.hostname
      ? `${q(t.hostname)} ${q(s.hostname)}`
      : `printf %s ${q(s.hostname)} > ${proc}/sys/kernel/hostname 2>/dev/null || :`,
  );

  // A minimal /dev: mount points and links.
  for (const d of DEV_NODES) L.push(`: > ${dev}/${d}`);
  L.push(`${mkdir} ${dev}/pts ${dev}/shm${s.pipes?.length ? ` ${dev}/pipes` : ''}`);
  for (const p of s.pipes ?? []) L.push(`: > ${dev}/pipes/${q(p.name)}`);
  L.push(`${ln} -s pts/ptmx ${dev}/ptmx`);
  L.push(`${ln} -s /proc/self/fd ${dev}/fd`);
  ['stdin', 'stdout', 'stderr'].forEach((n, i) => {
    L.push(`${ln} -s /proc/self/fd/${i} ${dev}/${n}`);
  });

  // /sys read-only (a user namespace without its own network namespace cannot mount sysfs: bind it).
  const sys = at(s.mounts.sys);
  const sysRo = insecure ? '' : 'ro,';
  L.push(
    `${mount} -t sysfs -o ${sysRo}nosuid,nodev,noexec sysfs ${sys} 2>/dev/null || { ${mount} --rbind /sys ${sys}${insecure ? '' : ` && ${mount} -o remount,bind,ro ${sys}`}; }`,
  );

  // Second batch: Docker's masks, the device nodes, devpts, shm, hosts, resolv.conf, the jail's /proc.
  batch.begin();
  for (const m of insecure ? [] : MASKED_PROC) {
    const p = `${proc}/${m}`;
    const target = `${rawProc}/${m}`;
    batch.add('kiln-masked', target, 'tmpfs', 'ro,nosuid,nodev,noexec,size=0', `[ -d ${p} ]`);
    batch.add('/dev/null', target, 'none', 'bind,ro', `[ ! -d ${p} ] && [ -e ${p} ]`);
  }
  for (const m of insecure ? [] : READONLY_PROC) {
    const target = `${rawProc}/${m}`;
    batch.add(target, target, 'none', 'bind,ro', `[ -e ${proc}/${m} ]`);
  }
  for (const d of DEV_NODES) batch.add(`/dev/${d}`, `${rawDev}/${d}`, 'none', 'bind');
  const ptsGid = s.kind === 'chroot' ? ',gid=5' : '';
  batch.add(
    'devpts',
    `${rawDev}/pts`,
    'devpts',
    `newinstance,ptmxmode=0666,mode=0620,nosuid,noexec${ptsGid}`,
  );
  batch.add('shm', `${rawDev}/shm`, 'tmpfs', 'nosuid,nodev,noexec,mode=1777,size=65536k');
  for (const p of s.pipes ?? []) batch.add(p.file, `${rawDev}/pipes/${p.name}`, 'none', 'bind,ro');
  if (insecure) {
    // --security=insecure: the host's device nodes too (a privileged container's /dev); names fstab cannot carry are left out.
    L.push(
      `for d in /dev/*; do case $d in *[[:space:]\\]*) continue ;; esac; if [ ! -L "$d" ] && { [ -c "$d" ] || [ -b "$d" ]; }; then n=\${d##*/}; if [ ! -e ${dev}/"$n" ] && [ ! -L ${dev}/"$n" ]; then : > ${dev}/"$n"; printf '%s %s/%s none bind 0 0\\n' "$d" ${q(fstabField(rawDev))} "$n" >> "$KILN_FSTAB"; fi; fi; done`,
    );
  }
  for (const m of insecure ? [] : MASKED_SYS) {
    batch.add(
      'kiln-masked',
      `${raw(s.mounts.sys)}/${m}`,
      'tmpfs',
      'ro,nosuid,nodev,noexec,size=0',
      `[ -d ${sys}/${m} ]`,
    );
  }
  if (s.mounts.hosts && s.hostsFile) batch.add(s.hostsFile, raw(s.mounts.hosts), 'none', 'bind,ro');
  if (s.mounts.resolvConf && s.resolvConfFile) {
    batch.add(s.resolvConfFile, raw(s.mounts.resolvConf), 'none', 'bind,ro');
  }
  batch.add('proc', `${s.jail}/proc`, 'proc', 'nosuid,nodev,noexec');
  batch.run();

  L.push(...runMountLines(t, s.kind, J, N, s.runMounts ?? []));
  L.push(...networkSetupLines(s.network, t.ip));
  if (s.net.slirp) L.push(`read -r go <&${GO_FD}`, `exec ${GO_FD}<&-`);

  // Into the jail; the old root goes away.
  L.push(`cd ${J}`, `${q(t.pivotRoot)} . .old`, 'cd /');
  L.push(`${q(t.umount)} -l /.old /proc`);
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
