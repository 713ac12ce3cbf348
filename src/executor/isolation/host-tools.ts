/**
 * The host binaries the sandbox uses, found on a fixed PATH (never the
 * runner's), and the files the "jail" needs: the binaries that run after
 * pivot_root (setpriv, env, unshare, umount) with their shared libraries and
 * dynamic loader, found with ldd. Every host helper runs with CLEAN_ENV.
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { promisify } from 'node:util';
import { findExecutable, HOST_PATH } from '../../executable.js';
import { type HostArch, hostArch } from './seccomp/filter.js';

const execFileP = promisify(execFile);

/** The only environment a host helper ever gets. */
export const CLEAN_ENV: NodeJS.ProcessEnv = { PATH: HOST_PATH, LC_ALL: 'C' };

/** Binaries used before pivot_root, by absolute path. */
export interface HostTools {
  /** The setup script's interpreter: bash when present (it can close any fd), else sh. */
  shell: string;
  unshare: string;
  mount: string;
  umount: string;
  pivotRoot: string;
  setpriv: string;
  env: string;
  mkdir: string;
  ln: string;
  /** RUN --mount=type=secret: the data decoded, owned and moded in the jail. */
  base64: string;
  chown: string;
  chmod: string;
  /** iproute2, to bring `lo` up under --network=none; optional. */
  ip?: string;
  /** sethostname(2); optional (as root the sysctl file is used instead). */
  hostname?: string;
  /** The RUN's own network with outbound access (run-network.ts); optional: without it RUN shares the host's. */
  slirp4netns?: string;
  /** The seccomp filter's ABI (seccomp/); absent: RUN runs without the filter (another host, or it failed here). */
  seccomp?: HostArch;
  /** Why slirp4netns or seccomp is absent, said when a RUN goes without it. */
  missing?: { slirp4netns?: string; seccomp?: string };
  /** Files bind-mounted read-only into the jail: path inside the jail → host file. */
  jailFiles: Array<{ path: string; source: string }>;
}

export class HostToolsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostToolsError';
  }
}

/** Absolute path of a binary on HOST_PATH, or undefined. */
export function findBinary(name: string): Promise<string | undefined> {
  return findExecutable(name, HOST_PATH.split(':'));
}

/** Shared objects a dynamic binary loads (ldd), plus the binary itself; paths as the loader finds them. */
async function loadedFiles(binary: string, ldd: string | undefined): Promise<string[]> {
  const files = [binary];
  if (!ldd) return files;
  let out: string;
  try {
    out = (await execFileP(ldd, [binary], { env: CLEAN_ENV })).stdout;
  } catch (e) {
    const text =
      String((e as { stdout?: string; stderr?: string }).stdout ?? '') +
      String((e as { stderr?: string }).stderr ?? '');
    if (/not a dynamic executable|statically linked/.test(text)) return files;
    throw new HostToolsError(`ldd ${binary} failed: ${text.trim() || (e as Error).message}`);
  }
  for (const line of out.split('\n')) {
    const arrow = line.match(/=>\s*(\/\S+)/);
    const bare = line.match(/^\s*(\/\S+)\s+\(/);
    const p = arrow?.[1] ?? bare?.[1];
    if (p) files.push(p);
    else if (/=>\s*not found/.test(line)) throw new HostToolsError(`${binary}: ${line.trim()}`);
  }
  return files;
}

/**
 * The sandbox's setup script needs util-linux's mount: it mounts in batches
 * with `--all --fstab` and relies on `bind,ro` meaning a read-only bind (the
 * jail's host binaries). BusyBox's mount takes neither the long options nor
 * makes such a bind read-only; refuse it rather than build a weaker jail.
 */
export async function checkMount(mount: string): Promise<void> {
  let out = '';
  try {
    out = (await execFileP(mount, ['--version'], { env: CLEAN_ENV })).stdout;
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
  }
  if (!/util-linux/.test(out)) {
    throw new HostToolsError(
      `${mount} is not util-linux's mount (the RUN sandbox needs its --all --fstab and read-only binds; install mount/util-linux)`,
    );
  }
}

/** Finds every tool, or says which are missing and which package brings them. */
export async function discoverHostTools(): Promise<HostTools> {
  const need = async (name: string, pkg: string) => {
    const p = await findBinary(name);
    if (!p) throw new HostToolsError(`"${name}" not found on ${HOST_PATH} (install ${pkg})`);
    return p;
  };
  const bash = await findBinary('bash');
  const tools = {
    shell: bash ?? (await need('sh', 'dash or bash')),
    unshare: await need('unshare', 'util-linux'),
    mount: await need('mount', 'mount/util-linux'),
    umount: await need('umount', 'mount/util-linux'),
    pivotRoot: await need('pivot_root', 'util-linux'),
    setpriv: await need('setpriv', 'util-linux (setpriv)'),
    env: await need('env', 'coreutils'),
    mkdir: await need('mkdir', 'coreutils'),
    ln: await need('ln', 'coreutils'),
    base64: await need('base64', 'coreutils'),
    chown: await need('chown', 'coreutils'),
    chmod: await need('chmod', 'coreutils'),
    ip: await findBinary('ip'),
    hostname: await findBinary('hostname'),
    slirp4netns: await findBinary('slirp4netns'),
    seccomp: hostArch(),
  };
  await checkMount(tools.mount);
  const missing: HostTools['missing'] = {};
  if (!tools.slirp4netns)
    missing.slirp4netns = `slirp4netns is not on ${HOST_PATH} (install the slirp4netns package)`;
  if (!tools.seccomp) missing.seccomp = `Kiln has no seccomp filter for ${process.arch}`;
  const ldd = await findBinary('ldd');
  const jail = new Map<string, string>();
  for (const bin of [tools.setpriv, tools.env, tools.unshare, tools.umount]) {
    for (const f of await loadedFiles(bin, ldd)) {
      if (!jail.has(f)) jail.set(f, await realpath(f));
    }
  }
  // The loader's cache lets libraries outside the default directories be found.
  try {
    jail.set('/etc/ld.so.cache', await realpath('/etc/ld.so.cache'));
  } catch {
    // none: the loader uses its default directories
  }
  return { ...tools, missing, jailFiles: [...jail].map(([path, source]) => ({ path, source })) };
}

/** Runs a host binary with CLEAN_ENV and no stdin (in `cwd` if given); rejects with its stderr on failure. */
export async function runHostCommand(
  file: string,
  args: string[],
  opts: { cwd?: string } = {},
): Promise<string> {
  try {
    return (await execFileP(file, args, { env: CLEAN_ENV, maxBuffer: 16 * 1024 * 1024, cwd: opts.cwd }))
      .stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new HostToolsError(`${file} ${args.join(' ')} failed: ${(err.stderr ?? '').trim() || err.message}`);
  }
}
