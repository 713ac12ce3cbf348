/**
 * Platforms (`os/arch[/variant]`): the host's, parsing and formatting with
 * containerd's normalisation (aarch64 → arm64, arm64/v8 ≡ arm64, x86_64 →
 * amd64, arm → arm/v7), and choosing an image from an index.
 */
import { setting } from '../hints.js';
import type { Descriptor, ImageConfig, ImageIndex, Platform } from './manifest.js';
import { isManifestMediaType } from './media-types.js';

export class PlatformError extends Error {
  override name = 'PlatformError';
}

/** No entry of an index fits the wanted platform. */
export class PlatformNotFoundError extends PlatformError {
  override name = 'PlatformNotFoundError';
  constructor(
    readonly wanted: string,
    readonly available: string[],
    what?: string,
  ) {
    super(
      `no image for platform ${wanted}${what ? ` in ${what}` : ''}: ${
        available.length ? `it has ${available.join(', ')}` : 'it lists no image platforms'
      }; choose one of those with ${setting('platform')}, or use a base image built for ${wanted}`,
    );
  }
}

/** The platform Node runs on, in OCI terms. */
export function hostPlatform(): Platform {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  switch (process.arch) {
    case 'x64':
      return { os, architecture: 'amd64' };
    case 'arm64':
      return { os, architecture: 'arm64' };
    case 'arm': {
      const v = nodeConfig().arm_version;
      return { os, architecture: 'arm', variant: `v${v ?? 7}` };
    }
    case 'ia32':
      return { os, architecture: '386' };
    case 'ppc64':
      return { os, architecture: nodeConfig().node_byteorder === 'big' ? 'ppc64' : 'ppc64le' };
    case 's390x':
      return { os, architecture: 's390x' };
    case 'riscv64':
      return { os, architecture: 'riscv64' };
    case 'loong64':
      return { os, architecture: 'loong64' };
    case 'mips':
      return { os, architecture: 'mips' };
    case 'mipsel':
      return { os, architecture: 'mipsle' };
    default:
      return { os, architecture: process.arch };
  }
}

function nodeConfig(): { arm_version?: string | number; node_byteorder?: string } {
  return process.config.variables as unknown as { arm_version?: string | number; node_byteorder?: string };
}

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  i386: '386',
  i486: '386',
  i586: '386',
  i686: '386',
  x86: '386',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
};

const KNOWN_OS = new Set([
  'linux',
  'windows',
  'darwin',
  'freebsd',
  'netbsd',
  'openbsd',
  'solaris',
  'illumos',
  'aix',
  'android',
  'ios',
  'plan9',
  'js',
  'wasip1',
]);
const KNOWN_ARCH = new Set([
  'amd64',
  '386',
  'arm',
  'arm64',
  'ppc64',
  'ppc64le',
  's390x',
  'riscv64',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'wasm',
]);

/** containerd's platforms.Normalize: one spelling per platform. */
/** os/architecture/variant/os.version as an image config names them (not normalised). */
export function configPlatform(
  c: Pick<ImageConfig, 'os' | 'architecture' | 'variant' | 'os.version'>,
): Platform {
  return {
    os: c.os,
    architecture: c.architecture,
    ...(c.variant ? { variant: c.variant } : {}),
    ...(c['os.version'] ? { 'os.version': c['os.version'] } : {}),
  };
}

export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase() === 'macos' ? 'darwin' : p.os.toLowerCase();
  const rawArch = p.architecture.toLowerCase();
  const arch = ARCH_ALIASES[rawArch] ?? rawArch;
  let variant = p.variant?.toLowerCase() || undefined;
  if (variant && /^[0-9]+$/.test(variant)) variant = `v${variant}`;
  if (rawArch === 'armhf') variant ??= 'v7';
  if (rawArch === 'armel') variant ??= 'v6';
  switch (arch) {
    case 'amd64':
      if (variant === 'v1') variant = undefined;
      break;
    case 'arm64':
      if (variant === 'v8') variant = undefined;
      break;
    case 'arm':
      variant ??= 'v7';
      break;
  }
  const out: Platform = { os, architecture: arch };
  if (variant) out.variant = variant;
  if (p['os.version']) out['os.version'] = p['os.version'];
  if (p['os.features']) out['os.features'] = p['os.features'];
  return out;
}

/** Parses `os/arch[/variant]` (or `arch` alone: linux is assumed) and normalises it. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  const bad = (rule: string) => new PlatformError(`invalid platform "${text}": ${rule}`);
  if (parts.some((p) => p === '')) throw bad('expected os/arch[/variant], e.g. linux/amd64 or linux/arm/v7');
  if (parts.length > 3) throw bad('too many parts; expected os/arch[/variant]');
  if (parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw bad('each part may hold only letters, digits, ".", "_" and "-"');
  }
  if (parts.length === 1) {
    // containerd: a lone OS name means that OS on this machine's architecture; anything else is an architecture.
    const one = parts[0]!.toLowerCase();
    if (KNOWN_OS.has(one)) return normalizePlatform({ ...hostPlatform(), os: one });
    if (!KNOWN_ARCH.has(ARCH_ALIASES[one] ?? one))
      throw bad(`unknown operating system or architecture "${parts[0]}"`);
    return normalizePlatform({ os: 'linux', architecture: one });
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform({ os, architecture, ...(variant ? { variant } : {}) });
}

/** `linux/arm64`, `linux/arm/v7` (normalised). */
export function formatPlatform(p: Platform): string {
  const n = normalizePlatform(p);
  return [n.os, n.architecture, n.variant].filter(Boolean).join('/');
}

/** Same os, architecture and variant after normalisation. */
export function samePlatform(a: Platform, b: Platform): boolean {
  return formatPlatform(a) === formatPlatform(b);
}

/** Arm variants a wanted arm variant can run, best first (containerd's matcher). */
function compatibleVariants(p: Platform): Platform[] {
  const n = normalizePlatform(p);
  if (n.architecture !== 'arm') return [n];
  const order = ['v8', 'v7', 'v6', 'v5'];
  const start = order.indexOf(n.variant ?? 'v7');
  if (start < 0) return [n];
  return order.slice(start).map((variant) => ({ ...n, variant }));
}

/** Index entries that are images for some platform: attestations and unknown platforms left out. */
export function imageEntries(index: ImageIndex): Descriptor[] {
  return index.manifests.filter((d) => {
    if (d.annotations?.['vnd.docker.reference.type'] !== undefined) return false;
    if (d.mediaType && !isManifestMediaType(d.mediaType)) return false;
    const p = d.platform;
    if (!p?.os || !p.architecture) return false;
    return p.os !== 'unknown' && p.architecture !== 'unknown';
  });
}

/**
 * The index entry for `platform`: an exact match (after normalisation) wins;
 * an arm platform falls back to older arm variants it can run. Windows
 * entries with an os.version are matched on os/arch only (the first wins).
 */
export function selectManifest(index: ImageIndex, platform: Platform, what?: string): Descriptor {
  const entries = imageEntries(index);
  for (const want of compatibleVariants(platform)) {
    const hit = entries.find((d) => samePlatform(d.platform!, want));
    if (hit) return hit;
  }
  const available = [...new Set(entries.map((d) => formatPlatform(d.platform!)))];
  throw new PlatformNotFoundError(formatPlatform(platform), available, what);
}
