/**
 * Device nodes and FIFOs. Node has no mknod(2), so they are made by the
 * coreutils `mknod` binary: one process per node, which is fine because
 * layers rarely hold any (Debian's rootfs has none).
 */
import { execFile } from 'node:child_process';

export type NodeType = 'char' | 'block' | 'fifo';

/** Creates a device or FIFO at an absolute path that does not exist yet. */
export type Mknod = (
  path: string,
  type: NodeType,
  mode: number,
  major: number,
  minor: number,
) => Promise<void>;

export function mknodBinary(binary = 'mknod'): Mknod {
  return (path, type, mode, major, minor) =>
    new Promise((resolve, reject) => {
      const t = type === 'char' ? 'c' : type === 'block' ? 'b' : 'p';
      const args = ['-m', (mode & 0o777).toString(8), '--', path, t];
      if (type !== 'fifo') args.push(String(major), String(minor));
      execFile(
        binary,
        args,
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } },
        (err, _o, stderr) => {
          if (err) reject(new Error(`${binary} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
          else resolve();
        },
      );
    });
}
