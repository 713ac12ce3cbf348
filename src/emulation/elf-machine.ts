/**
 * What an executable of a Linux platform starts with: the first 64 bytes of
 * its ELF header (identification, type, machine; the rest zero), as binfmt_misc matches
 * them against a handler's magic and mask. Used to find the handler the
 * kernel would choose for a RUN of that platform.
 */
import type { Platform } from '../image/manifest.js';
import { normalizePlatform } from '../image/platform.js';

interface ElfKind {
  bits: 32 | 64;
  endian: 'le' | 'be';
  machine: number;
  /** QEMU's user-mode emulator, as Debian's qemu-user-static names it (qemu-<name>). */
  qemu: string;
}

const ELF: Record<string, ElfKind> = {
  amd64: { bits: 64, endian: 'le', machine: 0x3e, qemu: 'x86_64' },
  '386': { bits: 32, endian: 'le', machine: 0x03, qemu: 'i386' },
  arm64: { bits: 64, endian: 'le', machine: 0xb7, qemu: 'aarch64' },
  arm: { bits: 32, endian: 'le', machine: 0x28, qemu: 'arm' },
  ppc64le: { bits: 64, endian: 'le', machine: 0x15, qemu: 'ppc64le' },
  ppc64: { bits: 64, endian: 'be', machine: 0x15, qemu: 'ppc64' },
  s390x: { bits: 64, endian: 'be', machine: 0x16, qemu: 's390x' },
  riscv64: { bits: 64, endian: 'le', machine: 0xf3, qemu: 'riscv64' },
  loong64: { bits: 64, endian: 'le', machine: 0x102, qemu: 'loongarch64' },
  mips64le: { bits: 64, endian: 'le', machine: 0x08, qemu: 'mips64el' },
  mips64: { bits: 64, endian: 'be', machine: 0x08, qemu: 'mips64' },
  mipsle: { bits: 32, endian: 'le', machine: 0x08, qemu: 'mipsel' },
  mips: { bits: 32, endian: 'be', machine: 0x08, qemu: 'mips' },
};

/** QEMU's name for the platform's CPU (`aarch64` for linux/arm64); undefined when unknown. */
export function qemuName(platform: Platform): string | undefined {
  return ELF[normalizePlatform(platform).architecture]?.qemu;
}

/**
 * ELF headers (64 bytes, fields past e_machine zero) of an executable and a position-independent
 * executable of the platform; undefined for an architecture Kiln does not
 * know the ELF machine of.
 */
export function elfHeaders(platform: Platform): Buffer[] | undefined {
  const kind = ELF[normalizePlatform(platform).architecture];
  if (!kind) return undefined;
  return [2 /* ET_EXEC */, 3 /* ET_DYN */].map((type) => {
    const b = Buffer.alloc(64);
    b.set([0x7f, 0x45, 0x4c, 0x46, kind.bits === 64 ? 2 : 1, kind.endian === 'le' ? 1 : 2, 1], 0);
    if (kind.endian === 'le') {
      b.writeUInt16LE(type, 16);
      b.writeUInt16LE(kind.machine, 18);
    } else {
      b.writeUInt16BE(type, 16);
      b.writeUInt16BE(kind.machine, 18);
    }
    return b;
  });
}

/**
 * Whether this machine runs the platform's binaries without emulation: the
 * same architecture, 386 on amd64, and 32-bit arm on arm64 (most arm64 CPUs
 * run it; where one does not, a registered handler is used instead).
 */
export function runsNatively(platform: Platform, host: Platform): boolean {
  const p = normalizePlatform(platform);
  const h = normalizePlatform(host);
  if (p.os !== h.os) return false;
  if (p.architecture === h.architecture) return true;
  return (
    (h.architecture === 'amd64' && p.architecture === '386') ||
    (h.architecture === 'arm64' && p.architecture === 'arm')
  );
}
