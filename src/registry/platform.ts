/**
 * Platform selection in an image index: os, architecture and variant, with
 * the normalisations containerd applies (aarch64 → arm64, arm64 ≡ arm64/v8,
 * arm → arm/v7; arm/v7 also runs v6 and v5). Attestation manifests
 * (`unknown/unknown`, BuildKit's `vnd.docker.reference.type`) are skipped.
 * A selector can be plugged in to replace this logic.
 */
import type { Descriptor, ImageIndex, Platform } from '../image/manifest.js';

/** Picks the child manifest for `want`; undefined when none fits. */
export type PlatformSelector = (index: ImageIndex, want: Platform) => Descriptor | undefined;

const ARCH_ALIASES: Record<string, [string, string?]> = {
  x86_64: ['amd64'],
  'x86-64': ['amd64'],
  x64: ['amd64'],
  aarch64: ['arm64'],
  armhf: ['arm', 'v7'],
  armel: ['arm', 'v6'],
  i386: ['386'],
  i686: ['386'],
  ia32: ['386'],
  ppc64: ['ppc64le'],
};

/** Normalised platform: canonical architecture, default variant filled in for arm/arm64. */
export function normalisePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() || undefined;
  const alias = ARCH_ALIASES[architecture];
  if (alias) {
    architecture = alias[0];
    variant ??= alias[1];
  }
  if (architecture === 'arm64' && (variant === undefined || variant === '8')) variant = 'v8';
  if (architecture === 'arm') {
    if (variant === undefined) variant = 'v7';
    else if (/^\d$/.test(variant)) variant = `v${variant}`;
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** `linux/arm64/v8` → Platform. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) {
    throw new Error(
      `invalid platform "${text}": expected os/arch or os/arch/variant (e.g. linux/amd64, linux/arm/v7)`,
    );
  }
  const [os, architecture, variant] = parts as [string, string, string?];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return '(no platform)';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** The platform of this machine, as an image would name it. */
export function hostPlatform(): Platform {
  const arch = process.arch;
  if (arch === 'arm') {
    const v = (process.config.variables as Record<string, unknown>).arm_version;
    return normalisePlatform({ os: 'linux', architecture: 'arm', variant: v ? `v${v}` : undefined });
  }
  return normalisePlatform({ os: 'linux', architecture: arch === 'ppc64' ? 'ppc64le' : arch });
}

export function isAttestation(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown';
}

/** Variants a machine of this platform can run, best first. */
function compatibleVariants(p: Platform): (string | undefined)[] {
  if (p.architecture === 'arm') {
    const n = Number(p.variant?.slice(1) ?? 7);
    const out: string[] = [];
    for (let v = n; v >= 5; v--) out.push(`v${v}`);
    return out;
  }
  return [p.variant];
}

/** containerd-like selection: exact variant first, then compatible ones; attestations skipped. */
export const selectPlatform: PlatformSelector = (index, wantRaw) => {
  const want = normalisePlatform(wantRaw);
  const candidates = index.manifests.filter((d) => d.platform && !isAttestation(d));
  const sameArch = candidates.filter((d) => {
    const p = normalisePlatform(d.platform!);
    return p.os === want.os && p.architecture === want.architecture;
  });
  if (wantRaw.variant === undefined && want.architecture !== 'arm' && want.architecture !== 'arm64') {
    return sameArch[0];
  }
  for (const v of compatibleVariants(want)) {
    const hit = sameArch.find((d) => normalisePlatform(d.platform!).variant === v);
    if (hit) return hit;
  }
  return undefined;
};

/** The platforms an index offers (attestations left out), for error messages. */
export function availablePlatforms(index: ImageIndex): string[] {
  return index.manifests.filter((d) => !isAttestation(d)).map((d) => formatPlatform(d.platform));
}
