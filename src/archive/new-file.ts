/**
 * Writes a file that must not exist yet (O_CREAT|O_EXCL|O_NOFOLLOW, so never
 * through a symlink) and sets its metadata through the descriptor, with as
 * few syscalls as the metadata allows: fchown only when the owner may differ
 * from what the file got, fchmod only when the create mode could not set the mode
 * exactly (umask, or chown clearing setuid/setgid). Synchronous syscalls on
 * purpose: see extract.ts.
 */
import { closeSync, constants, fchmodSync, fchownSync, futimesSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface NewFileMeta {
  /** Owner to set; undefined: leave the creator's. */
  owner?: { uid: number; gid: number };
  /** Permission bits incl. setuid/setgid/sticky. */
  mode: number;
  /** Seconds since the epoch (atime is set to the same). */
  mtime: number;
  /**
   * The directory does not hand its group down (no setgid bit): a new file
   * gets the creator's uid and gid, so an owner equal to the creator's needs
   * no fchown. Otherwise the owner is always set.
   */
  plainParent?: boolean;
}

export interface Creator {
  euid: number;
  egid: number;
  /** The process umask, if known. */
  umask?: number;
}

/** Who creates files, with the umask from /proc (process.umask() without arguments is deprecated). */
export async function currentCreator(): Promise<Creator> {
  let umask: number | undefined;
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(await readFile('/proc/self/status', 'utf8'));
    if (m) umask = Number.parseInt(m[1]!, 8);
  } catch {
    // unknown: always chmod
  }
  return { euid: process.geteuid?.() ?? -1, egid: process.getegid?.() ?? -1, umask };
}

/** Whether an owner must be set: it may differ from what the new file got (see plainParent). */
export function needsChown(
  owner: NewFileMeta['owner'],
  creator: Creator,
  plainParent = false,
): owner is { uid: number; gid: number } {
  return owner !== undefined && (!plainParent || owner.uid !== creator.euid || owner.gid !== creator.egid);
}

/** Whether the mode needs an fchmod after create: the umask took bits, or a chown cleared setuid/setgid. */
export function needsChmod(mode: number, chowned: boolean, creator: Creator): boolean {
  return chowned || creator.umask === undefined || (mode & creator.umask) !== 0;
}

/** An open new file: write its data, then finish() sets the metadata and closes it. */
export class NewFile {
  private readonly fd: number;
  private closed = false;

  constructor(
    path: string,
    private readonly meta: NewFileMeta,
    private readonly creator: Creator,
  ) {
    this.fd = openSync(path, FLAGS, meta.mode & 0o7777);
  }

  write(data: Buffer): void {
    for (let off = 0; off < data.length; ) off += writeSync(this.fd, data, off, data.length - off);
  }

  finish(): void {
    const { meta, creator } = this;
    try {
      const chown = needsChown(meta.owner, creator, meta.plainParent);
      if (chown) fchownSync(this.fd, meta.owner!.uid, meta.owner!.gid);
      if (needsChmod(meta.mode, chown, creator)) fchmodSync(this.fd, meta.mode & 0o7777);
      futimesSync(this.fd, meta.mtime, meta.mtime);
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
