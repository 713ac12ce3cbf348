/**
 * SSH agents for RUN --mount=type=ssh (`--ssh ID[=SOCKET|KEY[,KEY…]]`, as
 * buildx): an agent socket (default $SSH_AUTH_SOCK), or private keys loaded
 * into an `ssh-agent` Kiln starts for the build. A RUN never sees the agent
 * itself: each mount gets its own socket, with the mount's mode and owner,
 * served by a proxy that passes only what BuildKit's read-only agent allows
 * (list keys, sign, unlock) and answers anything else (adding or removing
 * keys, locking, extensions) with a failure.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLEAN_ENV, findBinary } from '../isolation/host-tools.js';
import type { SshSource } from '../options.js';

const execFileP = promisify(execFile);

export class SshAgentError extends Error {
  override name = 'SshAgentError';
}

/** SSH agent protocol message types a read-only agent answers (draft-miller-ssh-agent). */
const ALLOWED = new Set([
  11, // SSH_AGENTC_REQUEST_IDENTITIES
  13, // SSH_AGENTC_SIGN_REQUEST
  23, // SSH_AGENTC_UNLOCK
]);
const FAILURE = Buffer.from([0, 0, 0, 1, 5]); // SSH_AGENT_FAILURE
const MAX_MESSAGE = 256 * 1024;

/** Frames of the agent protocol: uint32 length, then the message. */
class Frames {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
  }
  /** The next whole frame (length prefix included), undefined when incomplete; throws when too big. */
  next(): Buffer | undefined {
    if (this.buf.length < 4) return undefined;
    const len = this.buf.readUInt32BE(0);
    if (len > MAX_MESSAGE) throw new Error('agent message too large');
    if (this.buf.length < 4 + len) return undefined;
    const frame = this.buf.subarray(0, 4 + len);
    this.buf = this.buf.subarray(4 + len);
    return frame;
  }
}

/** Serves one client connection: requests one at a time, the allowed ones through `upstream`. */
function serveReadOnly(client: net.Socket, upstreamPath: string): void {
  const requests = new Frames();
  const replies = new Frames();
  let upstream: net.Socket | undefined;
  let waiting = false;
  const close = () => {
    client.destroy();
    upstream?.destroy();
  };
  const pump = () => {
    while (!waiting) {
      let frame: Buffer | undefined;
      try {
        frame = requests.next();
      } catch {
        close();
        return;
      }
      if (!frame) return;
      if (frame.length < 5 || !ALLOWED.has(frame[4]!)) {
        client.write(FAILURE);
        continue;
      }
      if (!upstream) {
        upstream = net.connect(upstreamPath);
        upstream.on('data', (d: Buffer) => {
          replies.push(d);
          let reply: Buffer | undefined;
          try {
            reply = replies.next();
          } catch {
            close();
            return;
          }
          if (reply) {
            client.write(reply);
            waiting = false;
            pump();
          }
        });
        upstream.on('error', close);
        upstream.on('close', () => client.end());
      }
      waiting = true;
      upstream.write(frame);
    }
  };
  client.on('data', (d: Buffer) => {
    requests.push(d);
    pump();
  });
  client.on('error', close);
  client.on('close', () => upstream?.destroy());
}

interface Upstream {
  socket: string;
  agent?: ChildProcess;
  dir?: string;
}

export interface AgentSocket {
  path: string;
  close(): Promise<void>;
}

export class SshAgents {
  private readonly upstreams = new Map<string, Promise<Upstream>>();
  private readonly sources: Map<string, SshSource>;

  constructor(
    sources: readonly SshSource[],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.sources = new Map();
    for (const s of sources) {
      const id = s.id || 'default';
      if (this.sources.has(id)) throw new SshAgentError(`--ssh ${id} is given twice`);
      this.sources.set(id, { id, paths: s.paths });
    }
  }

  has(id: string): boolean {
    return this.sources.has(id);
  }

  /** A new socket at `file` (mode, owner as the mount asks) proxying to agent `id`, read-only. */
  async open(
    id: string,
    file: string,
    opts: { mode: number; uid: number; gid: number },
  ): Promise<AgentSocket> {
    const up = await this.upstream(id);
    const server = net.createServer((c) => serveReadOnly(c, up.socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(file, () => resolve());
    });
    try {
      await chmod(file, opts.mode & 0o7777);
      if (opts.uid !== (process.geteuid?.() ?? 0) || opts.gid !== (process.getegid?.() ?? 0))
        await chown(file, opts.uid, opts.gid);
    } catch (e) {
      server.close();
      throw new SshAgentError(
        `the SSH agent socket for uid ${opts.uid} gid ${opts.gid} cannot be made: ${(e as Error).message}` +
          (process.geteuid?.() === 0
            ? ''
            : ' (Kiln runs unprivileged: only uid 0 of the RUN, which is you, can own it)'),
      );
    }
    return {
      path: file,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          rm(file, { force: true }).catch(() => undefined);
        }),
    };
  }

  private upstream(id: string): Promise<Upstream> {
    let p = this.upstreams.get(id);
    if (!p) {
      p = this.start(this.sources.get(id)!);
      this.upstreams.set(id, p);
    }
    return p;
  }

  private async start(src: SshSource): Promise<Upstream> {
    const paths = src.paths.filter((p) => p !== '');
    if (paths.length === 0) {
      const sock = this.env.SSH_AUTH_SOCK;
      if (!sock) {
        throw new SshAgentError(
          `--ssh ${src.id}: SSH_AUTH_SOCK is not set; start an agent (eval "$(ssh-agent)" && ssh-add) or pass --ssh ${src.id}=/path/to/key`,
        );
      }
      return { socket: await existingSocket(src.id, sock) };
    }
    const kinds = await Promise.all(paths.map(async (p) => (await statOf(src.id, p)).isSocket()));
    if (kinds.some(Boolean)) {
      if (paths.length > 1)
        throw new SshAgentError(`--ssh ${src.id}: give one agent socket, or key files, not both`);
      return { socket: paths[0]! };
    }
    return startAgent(src.id, paths);
  }

  /** Stops the agents Kiln started. */
  async dispose(): Promise<void> {
    for (const p of this.upstreams.values()) {
      const up = await p.catch(() => undefined);
      if (!up?.agent) continue;
      up.agent.kill('SIGTERM');
      if (up.dir) await rm(up.dir, { recursive: true, force: true });
    }
  }
}

async function statOf(id: string, p: string) {
  try {
    return await stat(p);
  } catch (e) {
    throw new SshAgentError(
      `--ssh ${id}: cannot use ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

async function existingSocket(id: string, p: string): Promise<string> {
  if (!(await statOf(id, p)).isSocket()) throw new SshAgentError(`--ssh ${id}: ${p} is not a socket`);
  return p;
}

/** `ssh-agent -D` on a private socket, with the keys added by ssh-add (no passphrase prompt). */
async function startAgent(id: string, keys: string[]): Promise<Upstream> {
  const agentBin = await findBinary('ssh-agent');
  const addBin = await findBinary('ssh-add');
  if (!agentBin || !addBin)
    throw new SshAgentError(
      `--ssh ${id} with key files needs ssh-agent and ssh-add (install openssh-client)`,
    );
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-ssh-'));
  const socket = path.join(dir, 'agent.sock');
  // setpriv --pdeathsig: the agent (holding the keys) dies with Kiln, however Kiln ends.
  const setpriv = await findBinary('setpriv');
  const agent = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', agentBin, '-D', '-a', socket], {
        env: CLEAN_ENV,
        stdio: 'ignore',
      })
    : spawn(agentBin, ['-D', '-a', socket], { env: CLEAN_ENV, stdio: 'ignore' });
  const fail = async (msg: string): Promise<never> => {
    agent.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
    throw new SshAgentError(msg);
  };
  for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(socket)) return fail(`--ssh ${id}: ssh-agent did not start`);
  for (const key of keys) {
    try {
      await execFileP(addBin, ['-q', key], {
        env: { ...CLEAN_ENV, SSH_AUTH_SOCK: socket, SSH_ASKPASS_REQUIRE: 'never' },
        timeout: 15_000,
      });
    } catch (e) {
      const err = (e as { stderr?: string }).stderr?.trim() || (e as Error).message;
      return fail(
        `--ssh ${id}: cannot load the key ${key} (keys with a passphrase need an agent: pass its socket): ${err}`,
      );
    }
  }
  return { socket, agent, dir };
}
