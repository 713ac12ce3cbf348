/**
 * A root shell script that registers QEMU's user-mode emulators with
 * binfmt_misc the way Debian's qemu-user-static defines them
 * (/usr/lib/binfmt.d/qemu-<cpu>.conf), with the F flag: installs the package
 * with apt-get when its definitions are missing, mounts binfmt_misc when
 * it is not, and (re-)registers each wanted emulator that is absent or
 * registered without the F flag. The action runs it through sudo for
 * `setup_qemu: true`; tests run it in a user namespace against a private
 * binfmt_misc mount.
 */
import { BINFMT_MISC } from './binfmt.js';

/** Single-quotes a string for sh. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface RegisterScriptOptions {
  /** The binfmt_misc mount (default /proc/sys/fs/binfmt_misc). */
  dir?: string;
  /** Where the definitions are (default /usr/lib/binfmt.d). */
  definitions?: string;
}

/** The script for QEMU's CPU names (`aarch64`, `arm`, `s390x`…). */
export function registerScript(cpus: readonly string[], opts: RegisterScriptOptions = {}): string {
  for (const c of cpus) if (!/^[a-z0-9_]+$/.test(c)) throw new Error(`invalid QEMU CPU name "${c}"`);
  const dir = q(opts.dir ?? BINFMT_MISC);
  const defs = q(opts.definitions ?? '/usr/lib/binfmt.d');
  const names = cpus.map((c) => q(c)).join(' ');
  return [
    'set -eu',
    `dir=${dir}`,
    `defs=${defs}`,
    `cpus="${cpus.join(' ')}"`,
    'missing=',
    'for c in $cpus; do [ -e "$defs/qemu-$c.conf" ] || missing=1; done',
    'if [ -n "$missing" ]; then',
    '  echo "installing qemu-user-static (apt-get)"',
    '  export DEBIAN_FRONTEND=noninteractive',
    '  apt-get update -qq && apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null',
    'fi',
    '[ -e "$dir/register" ] || mount -t binfmt_misc binfmt_misc "$dir"',
    `for c in ${names}; do`,
    '  entry="$dir/qemu-$c"',
    '  if [ -e "$entry" ] && grep -q "^enabled" "$entry" && grep -q "^flags: .*F" "$entry"; then continue; fi',
    '  [ -e "$entry" ] && echo -1 > "$entry"',
    '  conf="$defs/qemu-$c.conf"',
    '  [ -e "$conf" ] || { echo "no $conf: qemu-user-static has no emulator for $c" >&2; exit 1; }',
    // One definition per line (comments and blank lines are none); flags are the last field: F added.
    '  grep -v -e "^#" -e "^;" -e "^$" "$conf" | while IFS= read -r line; do',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    '    case "${line##*:}" in *F*) ;; *) line="${line}F" ;; esac',
    '    printf "%s" "$line" > "$dir/register"',
    '  done',
    '  echo "registered qemu-$c"',
    'done',
    '',
  ].join('\n');
}
