/**
 * The kernel's binfmt_misc registrations (/proc/sys/fs/binfmt_misc): which
 * handler would run an executable of a given platform. A RUN of a foreign
 * platform executes in a chroot inside a pivoted jail (isolation/
 * namespace-script.ts) where no host path exists: the handler's interpreter
 * is only reachable when it was registered with the F (fix binary) flag, so
 * that the kernel opened it at registration. Debian's qemu-user-static and
 * docker/setup-qemu-action (tonistiigi/binfmt) both register it that way.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Platform } from '../image/manifest.js';
import { elfHeaders } from './elf-machine.js';

export const BINFMT_MISC = '/proc/sys/fs/binfmt_misc';

export interface BinfmtHandler {
  /** The entry's name (`qemu-aarch64`). */
  name: string;
  enabled: boolean;
  interpreter: string;
  /** Flag letters (`POF`). */
  flags: string;
  offset: number;
  magic: Buffer;
  mask: Buffer | undefined;
}

/** What binfmt_misc offers for a platform. */
export type HandlerLookup =
  | { kind: 'found'; handler: BinfmtHandler }
  /** A handler matches but cannot serve a RUN: disabled, or without the F flag. */
  | { kind: 'unusable'; handler: BinfmtHandler; why: string }
  | { kind: 'none'; why: string };

/** Parses one entry file (`enabled`, `interpreter …`, `flags: …`, `offset …`, `magic …`, `mask …`). */
export function parseHandler(name: string, text: string): BinfmtHandler | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  const field = (key: string) => {
    const line = lines.find((l) => l.startsWith(`${key} `) || l.startsWith(`${key}:`));
    return line?.slice(key.length).replace(/^:/, '').trim();
  };
  const magic = field('magic');
  if (magic === undefined) return undefined; // an extension (E) entry: not matched on content
  const mask = field('mask');
  return {
    name,
    enabled: lines[0] === 'enabled',
    interpreter: field('interpreter') ?? '',
    flags: field('flags') ?? '',
    offset: Number(field('offset') ?? 0),
    magic: Buffer.from(magic, 'hex'),
    mask: mask === undefined ? undefined : Buffer.from(mask, 'hex'),
  };
}

/** Whether the handler's magic (under its mask) matches these first bytes of a file. */
export function handlerMatches(h: BinfmtHandler, header: Buffer): boolean {
  if (h.offset + h.magic.length > header.length) return false;
  for (let i = 0; i < h.magic.length; i++) {
    const m = h.mask?.[i] ?? 0xff;
    if ((header[h.offset + i]! & m) !== (h.magic[i]! & m)) return false;
  }
  return true;
}

/** Every content-matched entry of a binfmt_misc mount; undefined when none is mounted there. */
export async function readHandlers(dir = BINFMT_MISC): Promise<BinfmtHandler[] | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  if (!names.includes('register')) return undefined;
  const out: BinfmtHandler[] = [];
  for (const name of names.sort()) {
    if (name === 'register' || name === 'status') continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    const h = text === undefined ? undefined : parseHandler(name, text);
    if (h) out.push(h);
  }
  return out;
}

/** Whether binfmt_misc as a whole is on (`status` says enabled). */
async function globallyEnabled(dir: string): Promise<boolean> {
  const status = await readFile(join(dir, 'status'), 'utf8').catch(() => 'enabled');
  return status.trim() === 'enabled';
}

/** The handler the kernel would use for the platform's executables, and whether a RUN can use it. */
export async function findHandler(platform: Platform, dir = BINFMT_MISC): Promise<HandlerLookup> {
  const headers = elfHeaders(platform);
  if (!headers) return { kind: 'none', why: 'Kiln does not know the ELF machine of this architecture' };
  const handlers = await readHandlers(dir);
  if (!handlers) return { kind: 'none', why: `binfmt_misc is not mounted at ${dir}` };
  const matching = handlers.filter((h) => headers.some((b) => handlerMatches(h, b)));
  if (matching.length === 0) return { kind: 'none', why: `no handler in ${dir} matches its executables` };
  // The kernel tries enabled entries in registration order; any enabled one with F serves.
  const usable = matching.find((h) => h.enabled && h.flags.includes('F'));
  const on = await globallyEnabled(dir);
  if (usable && on) return { kind: 'found', handler: usable };
  const h = matching.find((x) => x.enabled) ?? matching[0]!;
  if (!on) return { kind: 'unusable', handler: h, why: `binfmt_misc is disabled (${dir}/status)` };
  if (!h.enabled) return { kind: 'unusable', handler: h, why: `${dir}/${h.name} is disabled` };
  return {
    kind: 'unusable',
    handler: h,
    why: `${dir}/${h.name} is registered without the F flag (flags: ${h.flags || 'none'}): its interpreter ${h.interpreter} would be looked up inside the build's root, where it does not exist`,
  };
}
