/**
 * The build workspace: one directory holding every stage's filesystem, the
 * layers written and scratch space. Nothing outside it is written during a
 * build (outputs the user asked for aside). Removed at the end unless kept.
 *
 * A workspace holds an owner file (`pid starttime` of its Kiln). A Kiln that
 * was killed cannot remove its workspace: the next build that creates one in
 * the same parent directory removes every workspace whose owner is gone
 * (unmounting what is still mounted in it first).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ownerAlive, ownerStamp } from '../interrupt.js';
import type { Logger } from '../log.js';
import { unmountUnder } from './fs/mounts.js';

export interface Workspace {
  readonly root: string;
  /** A fresh, empty directory inside the workspace (`name` is a readable prefix). */
  dir(name: string): Promise<string>;
  /** A path for a new file inside the workspace (not created). */
  file(name: string): string;
  /** Removes the workspace unless it is kept. */
  dispose(): Promise<void>;
}

export interface WorkspaceOptions {
  /** Parent directory; default: the temp dir. */
  path?: string;
  keep: boolean;
  /** Told which stale workspaces were removed. */
  log?: Logger;
}

/** The file in a workspace that names the Kiln process owning it. */
export const OWNER_FILE = '.kiln-owner';
const PREFIX = 'kiln-';

export async function createWorkspace(opts: WorkspaceOptions): Promise<Workspace> {
  const parent = opts.path ?? os.tmpdir();
  await fs.mkdir(parent, { recursive: true });
  const root = await fs.mkdtemp(path.join(parent, PREFIX));
  // Stage filesystems hold setuid binaries and private files of the image.
  await fs.chmod(root, 0o700);
  await fs.writeFile(path.join(root, OWNER_FILE), ownerStamp());
  await removeStale(parent, root, opts.log);
  let counter = 0;
  const next = (name: string) =>
    path.join(root, `${String(++counter).padStart(3, '0')}-${name.replace(/[^\w.-]/g, '_')}`);
  return {
    root,
    async dir(name) {
      const d = next(name);
      await fs.mkdir(d);
      return d;
    },
    file: (name) => next(name),
    async dispose() {
      if (opts.keep) {
        // A kept workspace is the user's now: no later build removes it.
        await fs.rm(path.join(root, OWNER_FILE), { force: true });
        return;
      }
      // Synchronous: the promise-based rm held a promise per file at once
      // (RSS 250 -> 400 MiB removing a 100,000-file rootfs); same speed.
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * `rm -rf` in a child process, so that removing a large tree runs beside
 * other work (the push) rather than on the event loop. Never rejects: what
 * it leaves, the workspace removal takes.
 */
export function removeInBackground(dir: string): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('rm', ['-rf', '--one-file-system', '--', dir], { stdio: 'ignore' });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}

/** Removes the workspaces in `parent` whose Kiln is gone (killed before it could). */
async function removeStale(parent: string, own: string, log: Logger | undefined): Promise<void> {
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(parent, name);
    if (dir === own) continue;
    const stamp = await fs.readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => undefined);
    if (stamp === undefined || ownerAlive(stamp)) continue;
    const mounts = await unmountUnder(dir).catch(() => []);
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    log?.info(
      `removed ${dir}, the workspace of a Kiln that did not finish${mounts.length ? ` (${mounts.length} mounts)` : ''}`,
    );
  }
}
