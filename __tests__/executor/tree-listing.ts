/** Test helper: a comparable listing of a directory tree (no times). */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export function listTree(root: string): string[] {
  const out: string[] = [];
  const inodes = new Map<bigint, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const abs = join(root, path);
      const st = lstatSync(abs, { bigint: true });
      const mode = (st.mode & 0o7777n).toString(8);
      let desc: string;
      if (st.isDirectory()) desc = 'dir';
      else if (st.isSymbolicLink()) desc = `link->${readlinkSync(abs)}`;
      else if (st.isFile()) {
        const sha = createHash('sha256').update(readFileSync(abs)).digest('hex').slice(0, 16);
        const first = inodes.get(st.ino);
        if (st.nlink > 1n && !first) inodes.set(st.ino, path);
        desc = `file ${st.size} ${sha}${first ? ` hardlink=${first}` : ''}`;
      } else desc = `special ${st.rdev}`;
      out.push(`${path} ${desc} ${mode} ${st.uid}:${st.gid}`);
      if (st.isDirectory()) walk(path);
    }
  };
  walk('');
  return out;
}
