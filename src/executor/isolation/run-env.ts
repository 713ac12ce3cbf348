/**
 * Splitting the image environment between what may be given to a host
 * binary and what must only ever exist inside the root.
 *
 * The last host binary of the sandbox chain (util-linux `unshare`, which
 * chroots, changes directory and user, then execs the command) needs the
 * environment in its own environ, because that is what it passes on. glibc's
 * dynamic loader and libc act on some variables at startup (LD_PRELOAD,
 * LD_LIBRARY_PATH, GCONV_PATH, locale paths, …): given to a host binary
 * running as root they would load attacker code outside the root. Those are
 * withheld from every host binary ("deferred") and re-exported inside the
 * root by the image's own /bin/sh just before the command runs.
 */

/** glibc's UNSECURE_ENVVARS (elf/unsecvars.h) plus what else a host binary reads as a path. */
const UNSAFE_NAMES = new Set([
  'GCONV_PATH',
  'GETCONF_DIR',
  'GLIBC_TUNABLES',
  'HOSTALIASES',
  'LOCALDOMAIN',
  'LOCPATH',
  'NIS_PATH',
  'NLSPATH',
  'RESOLV_HOST_CONF',
  'RES_OPTIONS',
  'TMPDIR',
  'TZDIR',
  'CHARSETALIASDIR',
]);
const UNSAFE_PREFIXES = ['LD_', 'MALLOC_', 'GLIBC_', 'LIBMOUNT_', 'LIBBLKID_', 'LIBSMARTCOLS_', 'UNSHARE_'];
/** Safe with a plain name (looked up in the host's own data dirs), unsafe as a path. */
const PATH_SENSITIVE = /^(LANG|LANGUAGE|LC_[A-Z_]+|TZ|OUTPUT_CHARSET|POSIXLY_CORRECT)$/;

export interface EnvVar {
  name: string;
  value: string;
}

export interface SplitEnv {
  /** KEY=VALUE entries safe to hand to a host binary. */
  direct: string[];
  /** Variables to set only inside the root. */
  deferred: EnvVar[];
}

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

export function isUnsafeForHost(name: string, value: string): boolean {
  if (UNSAFE_NAMES.has(name)) return true;
  if (UNSAFE_PREFIXES.some((p) => name.startsWith(p))) return true;
  if (PATH_SENSITIVE.test(name) && value.includes('/')) return true;
  return false;
}

/** Validates KEY=VALUE entries and splits them; the last entry of a name wins, first position kept. */
export function splitEnv(env: string[]): SplitEnv {
  const vars = new Map<string, string>();
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new EnvError(`invalid environment entry ${JSON.stringify(entry)}: expected KEY=VALUE`);
    if (entry.includes('\0'))
      throw new EnvError(`environment entry ${entry.slice(0, eq)} contains a NUL byte`);
    vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const direct: string[] = [];
  const deferred: EnvVar[] = [];
  for (const [name, value] of vars) {
    if (isUnsafeForHost(name, value)) deferred.push({ name, value });
    else direct.push(`${name}=${value}`);
  }
  return { direct, deferred };
}

/**
 * argv prefix that exports the deferred variables with the image's shell and
 * execs the command: [sh, '-c', script, 'kiln-env', ...values]; the
 * command's argv follows.
 */
export function deferredEnvWrapper(shell: string, deferred: EnvVar[]): string[] {
  for (const v of deferred) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.name)) {
      throw new EnvError(
        `environment variable ${JSON.stringify(v.name)} must be applied inside the image by its shell, but it is not a valid shell variable name; rename it`,
      );
    }
  }
  const exports = deferred.map((v, i) => `${v.name}="\${${i + 1}}"`).join(' ');
  const script = `export ${exports}; shift ${deferred.length}; exec "$@"`;
  return [shell, '-c', script, 'kiln-env', ...deferred.map((v) => v.value)];
}
