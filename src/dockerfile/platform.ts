/**
 * The predefined platform ARGs (BUILDPLATFORM, TARGETARCH, …). Platforms
 * themselves (parse, format, normalise, the host's) live in
 * src/image/platform.ts; they are re-exported here for the library entry.
 */
import type { Platform } from '../image/manifest.js';
import { formatPlatform, hostPlatform, normalizePlatform, parsePlatform } from '../image/platform.js';

export { formatPlatform, hostPlatform, normalizePlatform, parsePlatform };

/** `os/arch[/variant]`, as the Dockerfile front end uses it. */
export type PlatformSpec = Pick<Platform, 'os' | 'architecture' | 'variant'>;

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
