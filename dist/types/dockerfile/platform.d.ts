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
export declare const PLATFORM_ARG_NAMES: readonly ["BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT", "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE"];
/** Values of the predefined platform ARGs; a build arg of the same name overrides one. */
export declare function platformArgs(build: PlatformSpec, target: PlatformSpec, targetStage: string, buildArgs?: ReadonlyMap<string, string>): Map<string, string>;
