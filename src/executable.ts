/** Finding a program by name in a list of directories (a PATH), as an absolute path. */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

/** The system directories, in the usual order: where host programs are looked up, never the user's PATH. */
export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The first executable `name` in `dirs` (relative or empty entries skipped), or undefined. */
export async function findExecutable(name: string, dirs: readonly string[]): Promise<string | undefined> {
  for (const d of dirs) {
    if (!path.isAbsolute(d)) continue;
    const p = path.join(d, name);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}
