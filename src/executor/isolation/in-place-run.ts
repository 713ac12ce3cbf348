/**
 * One RUN executed directly in the container, the build's root being the
 * container's own `/`: no namespaces, no chroot. The command gets exactly
 * the image's environment (HOME added as runc does), the resolved user with
 * its supplementary groups, the working directory (created when missing),
 * a session of its own; whatever it leaves running is killed when it ends
 * (stray-processes.ts). /etc/hosts, /etc/resolv.conf and the hostname are
 * the container's.
 *
 * Node's spawn() sets uid and gid but clears supplementary groups; a user
 * with groups is started through a small launcher (Kiln's own Node, which
 * needs nothing from `/`) that sets them and execs the command
 * (process.execve, Node 22.15+/24).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PATH } from '../../dockerfile/scope.js';
import { mkdirInRoot, RootPathError } from '../../fs/root-path.js';
import type { RootRunSpec } from './isolation.js';
import { TailBuffer } from './output-tail.js';
import { type RunResult, SandboxError } from './sandbox.js';
import { killStrays, readProc } from './stray-processes.js';

/** BuildKit's default PATH, for an image without one. */

/**
 * Sets groups, gid, uid, then execs: KILN_LAUNCH is a JSON {groups, gid, uid,
 * file, argv, env} (in the environment, which only the same user can read:
 * the command's environment may hold secrets).
 */
const LAUNCHER = `const p = JSON.parse(process.env.KILN_LAUNCH);
try {
  process.setgroups(p.groups); process.setgid(p.gid); process.setuid(p.uid);
  process.execve(p.file, p.argv, p.env);
} catch (e) { process.stderr.write('kiln: cannot run ' + p.argv[0] + ': ' + e.message + '\\n'); process.exit(127); }`;

export interface InPlaceRunOptions {
  /** The root the command runs in: '/' (the container's own). */
  root: string;
  /** Kiln's Node binary (the launcher for users with supplementary groups). */
  node?: string;
}

function validate(spec: RootRunSpec): void {
  if (spec.argv.length === 0 || spec.argv[0] === '') throw new SandboxError('RUN has no command');
  if (!spec.cwd.startsWith('/')) throw new SandboxError(`working directory must be absolute: ${spec.cwd}`);
  for (const s of [spec.cwd, ...spec.argv, ...spec.env]) {
    if (s.includes('\0'))
      throw new SandboxError('RUN command, environment or working directory contains a NUL byte');
  }
  const ids = [spec.user.uid, spec.user.gid, ...spec.user.groups];
  if (!ids.every((n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1)) {
    throw new SandboxError(`invalid user ids: ${JSON.stringify(spec.user)}`);
  }
  const refused = refusedInPlace(spec);
  if (refused) throw new SandboxError(refused);
}

/**
 * What an in-place RUN cannot honour: a network of its own (no namespaces),
 * more privileges than the container has.
 */
export function refusedInPlace(spec: Pick<RootRunSpec, 'network' | 'security'>): string | undefined {
  if (spec.network === 'none') {
    return 'RUN --network=none needs a network namespace, which an in-place build (in a container without CAP_SYS_ADMIN) cannot create: the RUN would reach the network; drop the flag, or build where namespaces work (--isolation chroot)';
  }
  if (spec.security === 'insecure' && !hasAllCapabilities()) {
    return "RUN --security=insecure asks for every capability, and an in-place RUN has only the container's own (it runs in the container, not in a sandbox of its own): run the container privileged, or drop the flag";
  }
  return undefined;
}

/** Kiln's effective capability set is full (a privileged container). */
function hasAllCapabilities(): boolean {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    // CAP_SYS_ADMIN (21) stands for the rest: Docker grants it only with --privileged.
    return m !== undefined && m !== null && (BigInt(`0x${m[1]}`) & (1n << 21n)) !== 0n;
  } catch {
    return false;
  }
}

/** The command's file as execvp(3) would find it on the image's PATH; undefined when none is executable. */
export function findCommand(name: string, env: readonly string[], cwd: string): string | undefined {
  if (name.includes('/')) return name.startsWith('/') ? name : join(cwd, name);
  const path = env.findLast((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  for (const dir of path.split(':')) {
    const file = join(dir || cwd, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  return undefined;
}

function signalNumber(name: string): number {
  return (osConstants.signals as Record<string, number>)[name] ?? 0;
}

export async function runInPlace(spec: RootRunSpec, opts: InPlaceRunOptions): Promise<RunResult> {
  validate(spec);
  const env = [...spec.env];
  if (spec.home !== undefined && !env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${spec.home}`);
  for (const s of spec.secretEnv ?? []) {
    const value = s.value.toString('utf8');
    if (
      !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.name) ||
      value.includes('\0') ||
      !Buffer.from(value).equals(s.value)
    ) {
      throw new SandboxError(
        `the secret for environment variable ${JSON.stringify(s.name)} cannot be given as one (a name that is not a variable name, a NUL byte or invalid UTF-8): mount it as a file (target=…) instead`,
      );
    }
    env.push(`${s.name}=${value}`);
  }
  try {
    mkdirInRoot(opts.root, spec.cwd);
  } catch (e) {
    if (e instanceof RootPathError) throw new SandboxError(`cannot use WORKDIR ${spec.cwd}: ${e.message}`);
    throw e;
  }
  const tail = new TailBuffer();
  const file = findCommand(spec.argv[0]!, env, spec.cwd);
  if (!file) {
    const line = `kiln: ${spec.argv[0]}: command not found in the image (PATH ${env.findLast((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH})`;
    tail.push(`${line}\n`);
    spec.onOutput?.(Buffer.from(`${line}\n`), 'stderr');
    return { exitCode: 127, tail: tail.tail() };
  }
  const pipes = await writePipes(opts.root, spec.pipes ?? []);
  try {
    return await execute(spec, env, file, opts, tail);
  } finally {
    for (const p of pipes) rmSync(p, { force: true });
  }
}

/** Heredoc scripts at /dev/pipes/<name> (the container's /dev: never in a layer). */
async function writePipes(root: string, pipes: NonNullable<RootRunSpec['pipes']>): Promise<string[]> {
  const written: string[] = [];
  if (pipes.length === 0) return written;
  const dir = join(root, 'dev', 'pipes');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const p of pipes) {
    if (!/^[\w.-]+$/.test(p.name) || p.name === '.' || p.name === '..') {
      throw new SandboxError(`invalid heredoc script name "${p.name}"`);
    }
    const f = join(dir, p.name);
    writeFileSync(f, p.content, { mode: p.mode });
    written.push(f);
  }
  return written;
}

function execute(
  spec: RootRunSpec,
  env: string[],
  file: string,
  opts: InPlaceRunOptions,
  tail: TailBuffer,
): Promise<RunResult> {
  const { uid, gid } = spec.user;
  const groups = [...new Set(spec.user.groups)];
  const envObject = Object.fromEntries(
    env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
  const launcher = groups.length > 0 && opts.node !== undefined;
  const child = launcher
    ? spawn(opts.node!, ['-e', LAUNCHER], {
        cwd: spec.cwd,
        env: { KILN_LAUNCH: JSON.stringify({ groups, gid, uid, file, argv: spec.argv, env: envObject }) },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(file, spec.argv.slice(1), {
        argv0: spec.argv[0],
        cwd: spec.cwd,
        env: envObject,
        uid,
        gid,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    tail.push(chunk);
    spec.onOutput?.(chunk, stream);
  };
  child.stdout!.on('data', forward('stdout'));
  child.stderr!.on('data', forward('stderr'));
  const self = readProc('self');
  const rule = {
    runSid: child.pid ?? -1,
    since: (child.pid ? readProc(child.pid)?.start : undefined) ?? self?.start ?? 0,
    kilnPid: process.pid,
    kilnSid: self?.sid ?? -1,
  };
  const killAll = () => {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone
      }
    }
    return killStrays(rule);
  };
  const onAbort = () => void killAll();
  if (spec.signal?.aborted) onAbort();
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  return new Promise<RunResult>((resolve, reject) => {
    child.on('error', (e) => {
      spec.signal?.removeEventListener('abort', onAbort);
      reject(new SandboxError(`cannot start ${spec.argv[0]} (${file}): ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      spec.signal?.removeEventListener('abort', onAbort);
      // Background processes of the RUN must not outlive it (they would write into the next
      // layer), nor keep its output pipes open.
      killAll()
        .then(async () => {
          const late = setTimeout(() => {
            child.stdout?.destroy();
            child.stderr?.destroy();
          }, 2000);
          await closed;
          clearTimeout(late);
        })
        .then(
          () => {
            if (spec.signal?.aborted) reject(new SandboxError('RUN aborted'));
            else if (signal) resolve({ exitCode: 128 + signalNumber(signal), signal, tail: tail.tail() });
            else resolve({ exitCode: code ?? 1, tail: tail.tail() });
          },
          (e: Error) => reject(new SandboxError(`ending what the RUN left running: ${e.message}`)),
        );
    });
  });
}
