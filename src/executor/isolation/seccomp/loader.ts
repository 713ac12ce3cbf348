/**
 * The program that puts a RUN under its seccomp filter: a static ELF of a
 * few dozen instructions, made here byte by byte so that no compiler or
 * helper package is needed on the host. `loader CMD ARGS…` calls
 * seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) with the filter embedded in
 * it, then execve(CMD, [CMD, ARGS…], environ). The sandbox runs it as root
 * (CAP_SYS_ADMIN in the RUN's namespaces), before the capabilities are
 * dropped, so the filter is installed without no_new_privs: setuid programs
 * in the image keep working, as under Docker. On failure it writes one line
 * to stderr and exits 126.
 *
 *   x86_64                               aarch64
 *   mov edi,1; xor esi,esi               movz x0,#1; movz x1,#0
 *   mov edx,&prog; mov eax,317; syscall  adr x2,prog; movz x8,#277; svc #0
 *   test rax,rax; jnz fail               cbnz x0,fail
 *   rdi=argv[1]; rsi=&argv[1]            x0=argv[1]; x1=&argv[1]
 *   rdx=&envp; mov eax,59; syscall       x2=&envp; movz x8,#221; svc #0
 *   fail: write(2,msg); exit_group(126)  fail: write(2,msg); exit_group(126)
 */
import { type HostArch, seccompFilter } from './filter.js';

const BASE = 0x400000;
const EHDR = 64;
const PHDR = 56;
const ENTRY_OFFSET = EHDR + PHDR;
const MESSAGE = Buffer.from('kiln: cannot put the RUN under its seccomp filter or start it\n');
const EXIT_CODE = 126;

function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** x86_64 code for `prog` and `msg` at the given virtual addresses (absolute: the file loads at BASE). */
function x86_64(_code: number, prog: number, msg: number): Buffer {
  const parts: Buffer[] = [];
  const emit = (...bytes: (number | Buffer)[]) => {
    for (const b of bytes) parts.push(typeof b === 'number' ? Buffer.from([b]) : b);
  };
  emit(0xbf, le32(1)); // mov edi, SECCOMP_SET_MODE_FILTER
  emit(0x31, 0xf6); // xor esi, esi
  emit(0xba, le32(prog)); // mov edx, &prog
  emit(0xb8, le32(317)); // mov eax, __NR_seccomp
  emit(0x0f, 0x05); // syscall
  emit(0x48, 0x85, 0xc0); // test rax, rax
  const jnz = Buffer.concat(parts).length;
  emit(0x75, 0x00); // jnz fail (patched)
  emit(0x48, 0x8b, 0x7c, 0x24, 0x10); // mov rdi, [rsp+16]      argv[1]
  emit(0x48, 0x8d, 0x74, 0x24, 0x10); // lea rsi, [rsp+16]      &argv[1]
  emit(0x48, 0x8b, 0x0c, 0x24); // mov rcx, [rsp]             argc
  emit(0x48, 0x8d, 0x54, 0xcc, 0x10); // lea rdx, [rsp+rcx*8+16] envp
  emit(0xb8, le32(59)); // mov eax, __NR_execve
  emit(0x0f, 0x05); // syscall
  const fail = Buffer.concat(parts).length;
  emit(0xbf, le32(2)); // mov edi, 2
  emit(0xbe, le32(msg)); // mov esi, &msg
  emit(0xba, le32(MESSAGE.length)); // mov edx, len
  emit(0xb8, le32(1)); // mov eax, __NR_write
  emit(0x0f, 0x05); // syscall
  emit(0xbf, le32(EXIT_CODE)); // mov edi, 126
  emit(0xb8, le32(231)); // mov eax, __NR_exit_group
  emit(0x0f, 0x05); // syscall
  const out = Buffer.concat(parts);
  out[jnz + 1] = fail - (jnz + 2);
  return out;
}

/** aarch64 code at virtual address `code` for `prog` and `msg`. */
function aarch64(code: number, prog: number, msg: number): Buffer {
  const words: number[] = [];
  const movz = (rd: number, imm: number) => 0xd2800000 | (imm << 5) | rd;
  const adr = (rd: number, target: number) => {
    const off = target - (code + words.length * 4);
    return (0x10000000 | ((off & 3) << 29) | (((off >> 2) & 0x7ffff) << 5) | rd) >>> 0;
  };
  const SVC = 0xd4000001;
  const SP = 31;
  words.push(movz(0, 1)); // x0 = SECCOMP_SET_MODE_FILTER
  words.push(movz(1, 0)); // x1 = 0
  words.push(adr(2, prog)); // x2 = &prog
  words.push(movz(8, 277)); // x8 = __NR_seccomp
  words.push(SVC);
  const cbnz = words.length;
  words.push(0); // cbnz x0, fail (patched)
  words.push((0xf9400000 | ((16 / 8) << 10) | (SP << 5) | 0) >>> 0); // ldr x0, [sp, #16]
  words.push((0x91000000 | (16 << 10) | (SP << 5) | 1) >>> 0); // add x1, sp, #16
  words.push((0xf9400000 | (0 << 10) | (SP << 5) | 3) >>> 0); // ldr x3, [sp]
  words.push((0x8b200000 | (3 << 16) | (0b011 << 13) | (3 << 10) | (SP << 5) | 2) >>> 0); // add x2, sp, x3, uxtx #3
  words.push((0x91000000 | (16 << 10) | (2 << 5) | 2) >>> 0); // add x2, x2, #16
  words.push(movz(8, 221)); // x8 = __NR_execve
  words.push(SVC);
  const fail = words.length;
  words.push(movz(0, 2));
  words.push(adr(1, msg));
  words.push(movz(2, MESSAGE.length));
  words.push(movz(8, 64)); // __NR_write
  words.push(SVC);
  words.push(movz(0, EXIT_CODE));
  words.push(movz(8, 94)); // __NR_exit_group
  words.push(SVC);
  words[cbnz] = (0xb5000000 | (((fail - cbnz) & 0x7ffff) << 5) | 0) >>> 0;
  const out = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => {
    out.writeUInt32LE(w >>> 0, i * 4);
  });
  return out;
}

const MACHINE: Record<HostArch, number> = { x86_64: 62, aarch64: 183 };

/** The loader for a host, with the RUN filter in it. */
export function seccompLoader(host: HostArch, filter: Buffer = seccompFilter(host)): Buffer {
  const codeAddr = BASE + ENTRY_OFFSET;
  // Code, then (8-aligned) struct sock_fprog, the filter and the message.
  const size = (host === 'x86_64' ? x86_64 : aarch64)(codeAddr, 0, 0).length;
  const progOffset = align8(ENTRY_OFFSET + size);
  const filterOffset = progOffset + 16;
  const msgOffset = filterOffset + filter.length;
  const code = (host === 'x86_64' ? x86_64 : aarch64)(codeAddr, BASE + progOffset, BASE + msgOffset);
  const total = msgOffset + MESSAGE.length;

  const file = Buffer.alloc(total);
  // ELF header.
  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELFCLASS64, little-endian, version 1, SYSV
  file.writeUInt16LE(2, 16); // ET_EXEC
  file.writeUInt16LE(MACHINE[host], 18);
  file.writeUInt32LE(1, 20); // EV_CURRENT
  file.writeBigUInt64LE(BigInt(codeAddr), 24); // e_entry
  file.writeBigUInt64LE(BigInt(EHDR), 32); // e_phoff
  file.writeBigUInt64LE(0n, 40); // e_shoff
  file.writeUInt32LE(0, 48); // e_flags
  file.writeUInt16LE(EHDR, 52); // e_ehsize
  file.writeUInt16LE(PHDR, 54); // e_phentsize
  file.writeUInt16LE(1, 56); // e_phnum
  // One PT_LOAD of the whole file, read + execute.
  file.writeUInt32LE(1, EHDR); // PT_LOAD
  file.writeUInt32LE(5, EHDR + 4); // PF_R | PF_X
  file.writeBigUInt64LE(0n, EHDR + 8); // p_offset
  file.writeBigUInt64LE(BigInt(BASE), EHDR + 16); // p_vaddr
  file.writeBigUInt64LE(BigInt(BASE), EHDR + 24); // p_paddr
  file.writeBigUInt64LE(BigInt(total), EHDR + 32); // p_filesz
  file.writeBigUInt64LE(BigInt(total), EHDR + 40); // p_memsz
  file.writeBigUInt64LE(0x1000n, EHDR + 48); // p_align
  code.copy(file, ENTRY_OFFSET);
  // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
  file.writeUInt16LE(filter.length / 8, progOffset);
  file.writeBigUInt64LE(BigInt(BASE + filterOffset), progOffset + 8);
  filter.copy(file, filterOffset);
  MESSAGE.copy(file, msgOffset);
  return file;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
