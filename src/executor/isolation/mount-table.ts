/**
 * The mount points of this process's mount namespace, from
 * /proc/self/mountinfo (proc(5)): field 5 is the mount point, with space,
 * tab, newline and backslash written as octal escapes.
 */
import { readFileSync } from 'node:fs';

export interface Mount {
  /** Absolute mount point. */
  point: string;
  /** Filesystem type (field after the ' - ' separator). */
  fsType: string;
  /** Mount source (e.g. 'overlay', '/dev/vda'). */
  source: string;
  /** Super-block options (e.g. overlay's lowerdir=…). */
  superOptions: string;
}

function unoctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** Parses mountinfo text; malformed lines are skipped. */
export function parseMountinfo(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (fields.length < 7 || sep < 0 || fields.length < sep + 3) continue;
    out.push({
      point: unoctal(fields[4]!),
      fsType: fields[sep + 1]!,
      source: unoctal(fields[sep + 2]!),
      superOptions: fields[sep + 3] ?? '',
    });
  }
  return out;
}

/** The mounts of this process (empty when /proc is not mounted). */
export function readMounts(file = '/proc/self/mountinfo'): Mount[] {
  try {
    return parseMountinfo(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}
