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
export const SETTINGS = [
  'insecure-registry',
  'skip-tls-verify-registry',
  'registry-certificate',
  'credentials',
  'platform',
  'dockerfile',
  'context',
  'destination',
  'cache',
  'cache-repo',
  'cache-dir',
  'isolation',
  'snapshot-mode',
  'compression',
] as const;
export type Setting = (typeof SETTINGS)[number];

/** How a front door names a setting, with the value the message suggests (if any). */
export type SettingNamer = (setting: Setting, value: string | undefined) => string;

const KNOWN = new Set<string>(SETTINGS);
const MARKER = /\{\{([a-z-]+)(?: ([^{}\s]+))?\}\}/g;

/** The marker for a setting in a library message: `{{cache-repo}}`, `{{insecure-registry r.example}}`. */
export function setting(name: Setting, value?: string): string {
  return value === undefined || value === '' ? `{{${name}}}` : `{{${name} ${value.replace(/\s/g, '')}}}`;
}

/** The settings a message names, in order, once each. */
export function settingsIn(text: string | undefined): Setting[] {
  const out = new Set<Setting>();
  for (const m of (text ?? '').matchAll(MARKER)) if (KNOWN.has(m[1]!)) out.add(m[1] as Setting);
  return [...out];
}

/** The message with each setting marker replaced by the front door's name for it. */
export function renderSettings(text: string, name: SettingNamer): string {
  return text.replace(MARKER, (whole, code: string, value: string | undefined) =>
    KNOWN.has(code) ? name(code as Setting, value) : whole,
  );
}

/** A logger that names the settings in every line its own way (a front door's logger). */
export function namingSettings<L extends Logger>(log: L, name: SettingNamer): L {
  const r = (m: string) => renderSettings(m, name);
  return {
    ...log,
    debug: (m: string) => log.debug(r(m)),
    info: (m: string) => log.info(r(m)),
    warn: (m: string) => log.warn(r(m)),
    error: (m: string) => log.error(r(m)),
    ...(log.progress
      ? { progress: (key: string, text: string | undefined) => log.progress!(key, text && r(text)) }
      : {}),
  };
}
