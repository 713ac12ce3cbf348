/**
 * RUN --mount, resolved for one RUN the way BuildKit's Dockerfile frontend
 * and mount manager do it: targets (relative ones under WORKDIR), default
 * ids and targets, cache key fields, then on a cache miss the things on the
 * host each isolation mounts (RunMountSpec):
 *
 *  bind    a context path, a stage's or an image's (bind-sources.ts); keyed
 *          by its content
 *  cache   a directory of the cache mount store, with `sharing`; seeded from
 *          `from=`/`source=`, or made with mode/uid/gid; its content never
 *          enters the key
 *  tmpfs   a fresh tmpfs
 *  secret  the secret's bytes as a file (default /run/secrets/<id>) and/or
 *          an environment variable; keyed by id and options, never value
 *  ssh     a socket to a read-only proxy of the agent (default
 *          /run/buildkit/ssh_agent.<n>; SSH_AUTH_SOCK names the first)
 * A secret or an agent that was not given is skipped, or an error naming it
 * when the mount says `required`.
 */
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ParsedDockerfile } from '../../dockerfile/dockerfile.js';
import type { RunInstruction, RunMount } from '../../dockerfile/instructions.js';
import { mountOptions } from '../../dockerfile/run-mount.js';
import { resolveFrom } from '../../dockerfile/stages.js';
import type { RunMountSpec, SecretEnv } from '../isolation/sandbox.js';
import type { CacheSharing } from '../mounts/cache-mounts.js';
import type { StepEnv } from '../stage/step.js';
import {
  type BindOrigin,
  bindSourceKey,
  bindSourcePath,
  cleanSource,
  copySourceInto,
  literalMatch,
} from './bind-sources.js';
import type { FromResolver } from './copy-instruction.js';
import { canChown } from './owned-layer.js';

export class RunMountError extends Error {
  override name = 'RunMountError';
}

export interface PreparedRunMounts {
  runMounts: RunMountSpec[];
  secretEnv: SecretEnv[];
  /** After the RUN, whatever happened: leases released, copies and sockets removed. */
  release(): Promise<void>;
}

export interface RunMountsPlan {
  /** One cache key field per mount (what it shows, never a secret's value). */
  keys: string[];
  /** Environment the RUN gets because of its mounts (SSH_AUTH_SOCK). */
  env: string[];
  /** On a cache miss: everything in place for the RUN. */
  prepare(): Promise<PreparedRunMounts>;
}

interface Resolved {
  key: string;
  prepare(ctx: PrepareContext): Promise<void>;
}

interface PrepareContext {
  mounts: RunMountSpec[];
  secretEnv: SecretEnv[];
  releases: (() => Promise<void>)[];
  /** A short private directory for sockets (a unix socket path is limited to 108 bytes). */
  socketDir(): Promise<string>;
}

/** BuildKit: a relative target is under WORKDIR; `/` cannot be one. */
function mountTarget(target: string | undefined, cwd: string): string {
  const t = path.posix.normalize(
    path.posix.isAbsolute(target ?? '') ? target! : path.posix.join('/', cwd, target ?? ''),
  );
  const clean = t.length > 1 ? t.replace(/\/+$/, '') : t;
  if (clean === '/') throw new RunMountError(`invalid mount target ${JSON.stringify(target ?? '')}`);
  return clean;
}

function goClean(p: string): string {
  const n = path.posix.normalize(p || '.');
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

async function origin(
  m: RunMount,
  df: ParsedDockerfile,
  instr: RunInstruction,
  from: FromResolver,
): Promise<BindOrigin> {
  if (m.from === undefined) return { kind: 'context' };
  const src = resolveFrom(df, m.from, instr.location);
  if (src.kind === 'scratch') return { kind: 'scratch' };
  return {
    kind: 'from',
    name: m.from,
    source: src.kind === 'stage' ? await from.stageTree(src.index) : await from.imageTree(src.ref),
  };
}

export async function planRunMounts(
  env: StepEnv,
  instr: RunInstruction,
  df: ParsedDockerfile,
  from: FromResolver,
  runEnv: readonly string[],
): Promise<RunMountsPlan> {
  const { session } = env;
  const cwd = env.image.config.config.WorkingDir || '/';
  const services = session.runMounts;
  const resolved: Resolved[] = [];
  const sshTargets: string[] = [];
  const ns = session.options.buildArgs.get('BUILDKIT_CACHE_MOUNT_NS') ?? '';

  for (const m of instr.mounts) {
    const o = mountOptions(m);
    switch (m.type) {
      case 'bind': {
        const target = mountTarget(m.target, cwd);
        const where = await origin(m, df, instr, from);
        const source = cleanSource(m.source);
        const content = await bindSourceKey(env, where, source);
        resolved.push({
          key: JSON.stringify(['bind', target, m.readonly, content]),
          prepare: async (ctx) => {
            const host = await bindSourcePath(env, where, source, m.readonly);
            if (host.dispose) ctx.releases.push(host.dispose);
            ctx.mounts.push({ kind: 'bind', target, source: host.path, readonly: m.readonly });
          },
        });
        break;
      }
      case 'cache': {
        const target = mountTarget(m.target, cwd);
        const id = `${ns}/${o.id ?? goClean(m.target ?? '')}`;
        const sharing: CacheSharing = o.sharing ?? 'shared';
        const source = cleanSource(m.source);
        const where: BindOrigin | undefined =
          m.from === undefined ? undefined : await origin(m, df, instr, from);
        const attrs = source === '' && (o.mode !== undefined || o.uid !== undefined || o.gid !== undefined);
        const mode = o.mode ?? 0o755;
        const uid = o.uid ?? 0;
        const gid = o.gid ?? 0;
        const seed = where && !attrs ? await bindSourceKey(env, where, source) : '';
        const variant = attrs ? `attrs:${mode}:${uid}:${gid}` : seed;
        resolved.push({
          key: JSON.stringify(['cache', target, id, sharing, m.readonly, variant]),
          prepare: async (ctx) => {
            const store = await services.caches();
            const lease = await store.acquire({
              id,
              variant,
              sharing,
              signal: session.signal,
              init: async (dir) => {
                if (where && !attrs) {
                  if (where.kind === 'scratch') {
                    mkdirSync(dir, { mode: 0o755 });
                    return;
                  }
                  const tree = where.kind === 'context' ? session.contextTree : await where.source.tree();
                  const match = await literalMatch(tree, source);
                  if (!match.stat.isDirectory())
                    throw new RunMountError(`cache mount from=${m.from} source=${m.source}: not a directory`);
                  await copySourceInto(dir, tree, match, where.kind !== 'context');
                  return;
                }
                mkdirSync(dir);
                if (uid !== 0 || gid !== 0 || canChown()) {
                  try {
                    chownSync(dir, uid, gid);
                  } catch (e) {
                    throw new RunMountError(
                      `cache mount uid=${uid} gid=${gid}: ${(e as Error).message} (without root, a cache belongs to root of the RUN, which is you)`,
                    );
                  }
                }
                chmodSync(dir, mode & 0o7777);
              },
            });
            ctx.releases.push(lease.release);
            ctx.mounts.push({ kind: 'bind', target, source: lease.dir, readonly: m.readonly });
          },
        });
        break;
      }
      case 'tmpfs': {
        const target = mountTarget(m.target, cwd);
        const size = o.sizeBytes;
        resolved.push({
          key: JSON.stringify(['tmpfs', target, m.readonly, size ?? 0]),
          prepare: async (ctx) => {
            ctx.mounts.push({
              kind: 'tmpfs',
              target,
              readonly: m.readonly,
              ...(size ? { sizeBytes: size } : {}),
            });
          },
        });
        break;
      }
      case 'secret': {
        const id = o.id ?? (m.source || path.posix.basename(m.target ?? ''));
        if (!id) throw new RunMountError('secret mount: one of id, source, target is required');
        const target =
          m.target !== undefined
            ? mountTarget(m.target, cwd)
            : o.env === undefined
              ? `/run/secrets/${path.posix.basename(id)}`
              : undefined;
        const mode = o.mode ?? 0o400;
        const uid = o.uid ?? 0;
        const gid = o.gid ?? 0;
        resolved.push({
          key: JSON.stringify(['secret', id, target ?? '', o.env ?? '', mode, uid, gid, o.required]),
          prepare: async (ctx) => {
            const value = services.secrets.get(id);
            if (value === undefined) {
              if (!o.required) return;
              throw new RunMountError(
                `secret ${JSON.stringify(id)} is required but was not given: pass --secret id=${id},src=FILE (or env=VAR; in the action: secrets, secret-files or secret-envs)`,
              );
            }
            if (target) ctx.mounts.push({ kind: 'file', target, data: value, mode, uid, gid });
            if (o.env !== undefined) ctx.secretEnv.push({ name: o.env, value });
          },
        });
        break;
      }
      case 'ssh': {
        const id = o.id || 'default';
        const target =
          m.target !== undefined
            ? mountTarget(m.target, cwd)
            : `/run/buildkit/ssh_agent.${sshTargets.length}`;
        sshTargets.push(target);
        const mode = o.mode ?? 0o600;
        const uid = o.uid ?? 0;
        const gid = o.gid ?? 0;
        resolved.push({
          key: JSON.stringify(['ssh', id, target, mode, uid, gid, o.required]),
          prepare: async (ctx) => {
            if (!services.ssh.has(id)) {
              if (!o.required) return;
              throw new RunMountError(
                `SSH agent ${JSON.stringify(id)} is required but was not given: pass --ssh ${id === 'default' ? 'default' : id}[=SOCKET|KEY] (in the action: ssh)`,
              );
            }
            const dir = await ctx.socketDir();
            const sock = await services.ssh.open(id, path.join(dir, `agent-${ctx.mounts.length}.sock`), {
              mode,
              uid,
              gid,
            });
            ctx.releases.push(sock.close);
            ctx.mounts.push({ kind: 'bind', target, source: sock.path, readonly: false });
          },
        });
        break;
      }
      default: {
        const never: never = m.type;
        throw new RunMountError(`unsupported mount type ${String(never)}`);
      }
    }
  }

  const hasSock = runEnv.some((e) => e.startsWith('SSH_AUTH_SOCK='));
  return {
    keys: resolved.map((r) => r.key),
    env: sshTargets.length && !hasSock ? [`SSH_AUTH_SOCK=${sshTargets[0]}`] : [],
    prepare: async () => {
      let sockets: string | undefined;
      const ctx: PrepareContext = {
        mounts: [],
        secretEnv: [],
        releases: [],
        socketDir: async () => {
          sockets ??= await mkdtemp(path.join(tmpdir(), 'kiln-ssh-'));
          return sockets;
        },
      };
      const release = async () => {
        for (const r of ctx.releases.reverse()) await r().catch(() => undefined);
        if (sockets) await rm(sockets, { recursive: true, force: true });
      };
      try {
        for (const r of resolved) await r.prepare(ctx);
      } catch (e) {
        await release();
        throw e;
      }
      return { runMounts: ctx.mounts, secretEnv: ctx.secretEnv, release };
    },
  };
}
