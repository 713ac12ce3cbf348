/**
 * Hint codes. The libraries (registry, image, cache, executor) tell the user
 * what to change without knowing how they were started: a message names a
 * setting by its code, as a marker `{{code}}` or `{{code value}}`, never by a
 * CLI flag or an action input. Each front door names the settings its own
 * way — the CLI by flag (`--insecure-registry r.example`), the action by
 * input (`cache_registry`) or by its `extra_args` flag — and renders every
 * message it prints with renderSettings(). A marker printed unrendered still
 * reads: `{{insecure-registry r.example}}`.
 */
import type { Logger } from './log.js';
/** The settings a library message may point at. */
export declare const SETTINGS: readonly ["insecure-registry", "skip-tls-verify-registry", "registry-certificate", "credentials", "platform", "dockerfile", "context", "destination", "cache", "cache-repo", "cache-dir", "isolation", "snapshot-mode", "compression"];
export type Setting = (typeof SETTINGS)[number];
/** How a front door names a setting, with the value the message suggests (if any). */
export type SettingNamer = (setting: Setting, value: string | undefined) => string;
/** The marker for a setting in a library message: `{{cache-repo}}`, `{{insecure-registry r.example}}`. */
export declare function setting(name: Setting, value?: string): string;
/** The settings a message names, in order, once each. */
export declare function settingsIn(text: string | undefined): Setting[];
/** The message with each setting marker replaced by the front door's name for it. */
export declare function renderSettings(text: string, name: SettingNamer): string;
/** A logger that names the settings in every line its own way (a front door's logger). */
export declare function namingSettings<L extends Logger>(log: L, name: SettingNamer): L;
