import type { Descriptor, ImageConfig, ImageIndex, Platform } from './manifest.js';
export declare class PlatformError extends Error {
    name: string;
}
/** No entry of an index fits the wanted platform. */
export declare class PlatformNotFoundError extends PlatformError {
    readonly wanted: string;
    readonly available: string[];
    name: string;
    constructor(wanted: string, available: string[], what?: string);
}
/** The platform Node runs on, in OCI terms. */
export declare function hostPlatform(): Platform;
/** containerd's platforms.Normalize: one spelling per platform. */
/** os/architecture/variant/os.version as an image config names them (not normalised). */
export declare function configPlatform(c: Pick<ImageConfig, 'os' | 'architecture' | 'variant' | 'os.version'>): Platform;
export declare function normalizePlatform(p: Platform): Platform;
/** Parses `os/arch[/variant]` (or `arch` alone: linux is assumed) and normalises it. */
export declare function parsePlatform(text: string): Platform;
/** `linux/arm64`, `linux/arm/v7` (normalised). */
export declare function formatPlatform(p: Platform): string;
/** Same os, architecture and variant after normalisation. */
export declare function samePlatform(a: Platform, b: Platform): boolean;
/** Index entries that are images for some platform: attestations and unknown platforms left out. */
export declare function imageEntries(index: ImageIndex): Descriptor[];
/**
 * The index entry for `platform`: an exact match (after normalisation) wins;
 * an arm platform falls back to older arm variants it can run. Windows
 * entries with an os.version are matched on os/arch only (the first wins).
 */
export declare function selectManifest(index: ImageIndex, platform: Platform, what?: string): Descriptor;
