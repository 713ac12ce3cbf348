/**
 * Debian bookworm minbase root filesystems as tars, for amd64 and arm64,
 * made with debootstrap from the mirror apt uses here: arm64 with
 * `--foreign`, its second stage run in a chroot under QEMU (binfmt_misc with
 * the F flag). Minutes each, so cached in the temp dir
 * (kiln-lab-cache/debian-bookworm-minbase-<arch>.tar); amd64 reuses the
 * bench's ready tar (/tmp/arch/deb.tar) when there is one.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEBIAN_FIXTURE_BINARIES = ['debootstrap', 'tar', 'chroot'];

/** The Debian mirror apt uses here (falls back to deb.debian.org). */
function mirror(): string {
  for (const f of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      const text = readFileSync(f, 'utf8');
      const m = /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
      if (m) return m[1]!;
    } catch {
      // next
    }
  }
  return 'http://deb.debian.org/debian';
}

/** The rootfs tar of Debian bookworm minbase for `arch` (made once, minutes). */
export async function debianRootfsTar(arch: 'amd64' | 'arm64'): Promise<string> {
  const cache = join(tmpdir(), 'kiln-lab-cache');
  const out = join(cache, `debian-bookworm-minbase-${arch}.tar`);
  if (existsSync(out)) return out;
  await mkdir(cache, { recursive: true });
  const work = await mkdtemp(join(cache, `debian-${arch}-`));
  try {
    const ready = '/tmp/arch/deb.tar';
    if (arch === 'amd64' && existsSync(ready) && statSync(ready).size > 100 * 1048576) {
      copyFileSync(ready, join(work, 'rootfs.tar'));
    } else {
      const root = join(work, 'rootfs');
      const foreign = arch === 'amd64' ? [] : [`--arch=${arch}`, '--foreign'];
      const opts = { stdio: ['ignore', 'ignore', 'pipe'] as ('ignore' | 'pipe')[], timeout: 30 * 60_000 };
      execFileSync('debootstrap', [...foreign, '--variant=minbase', 'bookworm', root, mirror()], opts);
      if (foreign.length) execFileSync('chroot', [root, '/debootstrap/debootstrap', '--second-stage'], opts);
      execFileSync('tar', ['--numeric-owner', '-cf', join(work, 'rootfs.tar'), '-C', root, '.']);
    }
    await rename(join(work, 'rootfs.tar'), out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return out;
}
