/**
 * RUN --mount in the sandbox's setup script (namespace-script.ts), and the
 * environment that carries secret data to it.
 *
 * Mounts are made after /proc, /dev, /sys, hosts and resolv.conf, outer
 * targets before the ones nested in them, while the host is still reachable
 * (before pivot_root):
 *  bind   `mount --bind` of the host path, then a read-only remount unless rw
 *         (rootless also keeps nosuid,nodev[,noexec]: flags a user namespace
 *         may not drop from the source's mount)
 *  tmpfs  a fresh tmpfs, nosuid (BuildKit's options), size= when given
 *  file   a secret: its bytes travel base64-encoded in environment variables
 *         of the setup process (never on a command line: /proc/PID/cmdline
 *         is world-readable, environ is not), are decoded into the jail's
 *         own tmpfs, owned and moded as asked, and bind-mounted read-only
 *         (nosuid,nodev, noexec unless the mode has an x bit, as BuildKit)
 * A secret given as an environment variable reaches the command through
 * env(1) -S, which expands `${VAR}` from its own environment: the value is
 * never in any process's argv either.
 */
import { dirname } from 'node:path';
import type { HostTools } from './host-tools.js';
import type { IsolationKind, RunMountSpec, SecretEnv } from './sandbox.js';
import { SandboxError } from './sandbox.js';
import { q } from './script-quote.js';

/** A RUN mount with where it goes in the root (see MountTargets.run). */
export interface PlacedMount {
  spec: RunMountSpec;
  /** Root-relative, symlink-free. */
  rel: string;
  /** Below another mount: the mount point is made inside it. */
  nested: boolean;
  /** The mount point is a directory (else a file). */
  dir: boolean;
  /** For a 'file' mount: the environment variables holding its base64 chunks. */
  vars?: string[];
}

/** BuildKit's limit for one secret (secretsprovider.MaxSecretSize). */
export const MAX_SECRET_BYTES = 500 * 1024;
/** One environment string may hold 128 KiB with its name (MAX_ARG_STRLEN). */
const CHUNK = 96 * 1024;

export interface SecretCarriers {
  /** Variables added to the setup process's environment. */
  env: Record<string, string>;
  /** `NAME=${VAR} …` for env -S; '' when there is no secret environment variable. */
  envAssignments: string;
}

/** Puts the secrets' data into environment variables; fills `vars` of each 'file' mount. */
export function secretCarriers(placed: PlacedMount[], secretEnv: readonly SecretEnv[]): SecretCarriers {
  const env: Record<string, string> = {};
  placed.forEach((p, i) => {
    if (p.spec.kind !== 'file') return;
    if (p.spec.data.length > MAX_SECRET_BYTES) {
      throw new SandboxError(
        `the secret mounted at ${p.spec.target} is ${p.spec.data.length} bytes: secrets are limited to ${MAX_SECRET_BYTES} bytes (as BuildKit's)`,
      );
    }
    const b64 = p.spec.data.toString('base64');
    const vars: string[] = [];
    for (let off = 0, j = 0; off < b64.length || j === 0; off += CHUNK, j++) {
      const name = `KILN_SECRET_FILE_${i}_${j}`;
      env[name] = b64.slice(off, off + CHUNK);
      vars.push(name);
    }
    p.vars = vars;
  });
  const assignments: string[] = [];
  secretEnv.forEach((s, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.name)) {
      throw new SandboxError(`secret environment variable name ${JSON.stringify(s.name)} is not valid`);
    }
    const text = s.value.toString('utf8');
    if (text.includes('\0') || !Buffer.from(text, 'utf8').equals(s.value)) {
      throw new SandboxError(
        `the secret for environment variable ${s.name} is not text (a NUL byte or invalid UTF-8): mount it as a file (target=…) instead`,
      );
    }
    if (s.value.length > MAX_SECRET_BYTES) {
      throw new SandboxError(
        `the secret for environment variable ${s.name} is larger than ${MAX_SECRET_BYTES} bytes`,
      );
    }
    const v = `KILN_SECRET_ENV_${i}`;
    env[v] = text;
    assignments.push(`${s.name}=\${${v}}`);
  });
  return { env, envAssignments: assignments.join(' ') };
}

function depth(rel: string): number {
  return rel.split('/').length;
}

/** Script lines that make every RUN mount under `newroot` (an already quoted shell word). */
export function runMountLines(
  tools: HostTools,
  kind: IsolationKind,
  jail: string,
  newroot: string,
  placed: readonly PlacedMount[],
): string[] {
  const mount = q(tools.mount);
  const mkdir = q(tools.mkdir);
  const L: string[] = [];
  const remountRo = (at: string, extra: string[] = []) => {
    const keep = kind === 'rootless' ? ['nosuid', 'nodev'] : [];
    const o = [...new Set(['remount', 'bind', 'ro', ...keep, ...extra])].join(',');
    // In a user namespace the source mount's locked noexec must be kept too.
    return kind === 'rootless'
      ? `${mount} -o ${o} ${at} 2>/dev/null || ${mount} -o ${o},noexec ${at}`
      : `${mount} -o ${o} ${at}`;
  };
  const order = placed.map((_, i) => i).sort((a, b) => depth(placed[a]!.rel) - depth(placed[b]!.rel));
  if (placed.some((p) => p.spec.kind === 'file')) L.push(`${mkdir} -m 0711 ${jail}/secrets`);
  for (const i of order) {
    const p = placed[i]!;
    const at = `${newroot}/${q(p.rel)}`;
    if (p.nested) {
      L.push(
        p.dir
          ? `[ -d ${at} ] || ${mkdir} -p ${at}`
          : `[ -e ${at} ] || { ${mkdir} -p ${newroot}/${q(dirname(p.rel))} && : > ${at}; }`,
      );
    }
    const spec = p.spec;
    switch (spec.kind) {
      case 'bind':
        L.push(`${mount} --bind ${q(spec.source)} ${at}`);
        if (spec.readonly) L.push(remountRo(at));
        break;
      case 'tmpfs': {
        const o = [
          'nosuid',
          ...(spec.readonly ? ['ro'] : []),
          ...(spec.sizeBytes ? [`size=${spec.sizeBytes}`] : []),
        ];
        L.push(`${mount} -t tmpfs -o ${o.join(',')} tmpfs ${at}`);
        break;
      }
      case 'file': {
        const file = `${jail}/secrets/${i}`;
        const vars = p.vars ?? [];
        L.push(`printf %s ${vars.map((v) => `"$${v}"`).join(' ')} | ${q(tools.base64)} -d > ${file}`);
        L.push(`unset ${vars.join(' ')}`);
        if (spec.uid !== 0 || spec.gid !== 0) L.push(`${q(tools.chown)} ${spec.uid}:${spec.gid} ${file}`);
        L.push(`${q(tools.chmod)} ${(spec.mode & 0o7777).toString(8)} ${file}`);
        L.push(`${mount} --bind ${file} ${at}`);
        L.push(remountRo(at, ['nosuid', 'nodev', ...(spec.mode & 0o111 ? [] : ['noexec'])]));
        break;
      }
      default: {
        const never: never = spec;
        throw new Error(`unhandled mount ${JSON.stringify(never)}`);
      }
    }
  }
  return L;
}
