/** Platforms (`linux/arm64`, `linux/arm/v7`) and the predefined platform ARGs. */

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH_ALIASES: Record<string, [string, string?]> = {
  x86_64: ['amd64'],
  'x86-64': ['amd64'],
  amd64: ['amd64'],
  aarch64: ['arm64'],
  arm64: ['arm64'],
  armhf: ['arm', 'v7'],
  armel: ['arm', 'v6'],
  arm: ['arm'],
  i386: ['386'],
  '386': ['386'],
};

/** Normalises like containerd: aarch64 → arm64 (v8 dropped), arm defaults to v7, x86_64 → amd64. */
export function normalizePlatform(p: PlatformSpec): PlatformSpec {
  const os = p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase();
  const alias = ARCH_ALIASES[architecture];
  if (alias) {
    architecture = alias[0];
    if (alias[1] && !variant) variant = alias[1];
  }
  if (architecture === 'arm64' && (variant === '8' || variant === 'v8' || variant === 'v8.0'))
    variant = undefined;
  if (architecture === 'arm' && !variant) variant = 'v7';
  if (architecture === 'arm' && /^\d+$/.test(variant ?? '')) variant = `v${variant}`;
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** `os/arch[/variant]` → PlatformSpec; throws a plain Error on malformed input. */
export function parsePlatform(text: string): PlatformSpec {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new Error(`invalid platform ${JSON.stringify(text)}: expected os/arch[/variant], e.g. linux/amd64`);
  }
  return normalizePlatform({
    os: parts[0]!,
    architecture: parts[1]!,
    ...(parts[2] ? { variant: parts[2] } : {}),
  });
}

export function formatPlatform(p: PlatformSpec): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

const NODE_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips64el: 'mips64le',
};

/** The platform this process runs on (Kiln builds for Linux). */
export function hostPlatform(): PlatformSpec {
  return normalizePlatform({ os: 'linux', architecture: NODE_ARCH[process.arch] ?? process.arch });
}

/** The ARGs BuildKit predefines for FROM lines and bare `ARG NAME` declarations. */
export const PLATFORM_ARG_NAMES = [
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'TARGETSTAGE',
] as const;

/** Values of the predefined platform ARGs; a build arg of the same name overrides one. */
export function platformArgs(
  build: PlatformSpec,
  target: PlatformSpec,
  targetStage: string,
  buildArgs: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const b = normalizePlatform(build);
  const t = normalizePlatform(target);
  const values: [string, string][] = [
    ['BUILDPLATFORM', formatPlatform(b)],
    ['BUILDOS', b.os],
    ['BUILDARCH', b.architecture],
    ['BUILDVARIANT', b.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(t)],
    ['TARGETOS', t.os],
    ['TARGETARCH', t.architecture],
    ['TARGETVARIANT', t.variant ?? ''],
    ['TARGETSTAGE', targetStage],
  ];
  return new Map(values.map(([k, v]) => [k, buildArgs.get(k) ?? v]));
}
