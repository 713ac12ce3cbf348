/**
 * The seccomp filter of a RUN step, as a classic BPF program: the system
 * calls Docker's and BuildKit's default profiles keep from containers are
 * refused with EPERM (kernel keyrings, bpf, perf_event_open, mounts, module
 * loading, kexec, the host clock, io_uring, …), creating a user namespace
 * through clone or unshare is refused, and clone3 answers ENOSYS so that the
 * C library falls back to clone, whose flags the filter can read (Docker
 * does the same). Everything else is allowed. Every ABI the host kernel
 * accepts is covered (x86_64 with i386 and, refused outright, x32; aarch64
 * with arm); a system call from an unknown ABI is refused.
 *
 * The numbers come from the kernel headers (syscall-numbers.ts, generated).
 */
import { SYSCALL_NUMBERS } from './syscall-numbers.js';

export type HostArch = 'x86_64' | 'aarch64';

const AUDIT_ARCH = {
  x86_64: 0xc000003e,
  i386: 0x40000003,
  aarch64: 0xc00000b7,
  arm: 0x40000028,
} as const;

/** The ABIs a host kernel runs, with its own first. */
const ABIS: Record<HostArch, (keyof typeof AUDIT_ARCH)[]> = {
  x86_64: ['x86_64', 'i386'],
  aarch64: ['aarch64', 'arm'],
};

const CLONE_NEWUSER = 0x10000000;
const X32_SYSCALL_BIT = 0x40000000;
const EPERM = 1;
const ENOSYS = 38;

// Classic BPF (linux/filter.h, linux/seccomp.h).
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
/** struct seccomp_data: nr at 0, arch at 4, args[0] at 16 (its low 32 bits first: both hosts are little-endian). */
const OFF_NR = 0;
const OFF_ARCH = 4;
const OFF_ARG0_LOW = 16;

type Insn = { op: number; k: number; jt?: string; jf?: string } | { label: string };

/** Assembles instructions with labelled jump targets into struct sock_filter[] (8 bytes each). */
function assemble(program: Insn[]): Buffer {
  const code = program.filter((i): i is Exclude<Insn, { label: string }> => !('label' in i));
  const at = new Map<string, number>();
  let n = 0;
  for (const i of program) {
    if ('label' in i) at.set(i.label, n);
    else n++;
  }
  const out = Buffer.alloc(code.length * 8);
  code.forEach((insn, pc) => {
    const offset = (label: string | undefined) => {
      if (label === undefined) return 0;
      const target = at.get(label);
      if (target === undefined) throw new Error(`seccomp filter: no label ${label}`);
      const d = target - pc - 1;
      if (d < 0 || d > 255) throw new Error(`seccomp filter: jump to ${label} out of range (${d})`);
      return d;
    };
    out.writeUInt16LE(insn.op, pc * 8);
    out.writeUInt8(offset(insn.jt), pc * 8 + 2);
    out.writeUInt8(offset(insn.jf), pc * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, pc * 8 + 4);
  });
  return out;
}

/** The checks of one ABI: `nr` loaded, falls through to allow. */
function abiBlock(abi: keyof typeof AUDIT_ARCH): Insn[] {
  const nums: Record<string, number> = SYSCALL_NUMBERS[abi];
  const out: Insn[] = [{ op: LD_W_ABS, k: OFF_NR }];
  // x32 system calls (x86_64 numbers with bit 30 set) are refused whole.
  if (abi === 'x86_64') out.push({ op: JGE_K, k: X32_SYSCALL_BIT, jt: 'deny' });
  if (nums.clone3 !== undefined) out.push({ op: JEQ_K, k: nums.clone3, jt: 'enosys' });
  for (const name of ['clone', 'unshare']) {
    if (nums[name] !== undefined) out.push({ op: JEQ_K, k: nums[name]!, jt: 'flags' });
  }
  for (const [name, nr] of Object.entries(nums)) {
    if (name === 'clone' || name === 'unshare' || name === 'clone3') continue;
    out.push({ op: JEQ_K, k: nr, jt: 'deny' });
  }
  out.push({ op: RET_K, k: RET_ALLOW });
  return out;
}

/** The filter for a host (struct sock_filter[], little-endian). */
export function seccompFilter(host: HostArch): Buffer {
  const [own, compat] = ABIS[host];
  const program: Insn[] = [
    { op: LD_W_ABS, k: OFF_ARCH },
    { op: JEQ_K, k: AUDIT_ARCH[own], jf: 'compat' },
    ...abiBlock(own),
    { label: 'compat' },
    { op: JEQ_K, k: AUDIT_ARCH[compat], jf: 'deny' },
    ...abiBlock(compat),
    // clone and unshare: the flags are the first argument on every ABI here.
    { label: 'flags' },
    { op: LD_W_ABS, k: OFF_ARG0_LOW },
    { op: JSET_K, k: CLONE_NEWUSER, jt: 'deny' },
    { op: RET_K, k: RET_ALLOW },
    { label: 'enosys' },
    { op: RET_K, k: RET_ERRNO | ENOSYS },
    { label: 'deny' },
    { op: RET_K, k: RET_ERRNO | EPERM },
  ];
  return assemble(program);
}

/** The host's architecture as the filter knows it; undefined where Kiln has no filter. */
export function hostArch(arch: string = process.arch): HostArch | undefined {
  if (arch === 'x64') return 'x86_64';
  if (arch === 'arm64') return 'aarch64';
  return undefined;
}
