/**
 * Outbound network for a RUN in its own network namespace: slirp4netns (a
 * user-mode TCP/IP stack, Debian's `slirp4netns`) attached to the
 * namespace. The RUN sees a tap device 10.0.2.100/24 with the gateway
 * 10.0.2.2 and a DNS forwarder at 10.0.2.3; its connections leave through
 * slirp4netns's own sockets in the host's namespace, so it reaches the
 * internet and package mirrors but never the host's loopback
 * (--disable-host-loopback), its abstract unix sockets or its traffic.
 * The same as rootless Docker and BuildKit. As root or rootless (joining
 * the RUN's user namespace).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CLEAN_ENV } from './host-tools.js';
import { SandboxError } from './sandbox.js';

/** The DNS forwarder slirp4netns offers inside the namespace. */
export const SLIRP_DNS = '10.0.2.3';

export interface Slirp {
  /** Ends the network (the RUN has exited). Never rejects. */
  stop(): Promise<void>;
}

/**
 * Attaches slirp4netns to the network namespace of `pid` and resolves once
 * the namespace's tap device is configured. `rootless`: the namespace is
 * owned by a user namespace that slirp4netns must join.
 */
export async function attachSlirp(
  slirp4netns: string,
  pid: number,
  opts: { rootless: boolean; timeoutMs?: number },
): Promise<Slirp> {
  const args = ['--configure', '--mtu=65520', '--disable-host-loopback', '--ready-fd=3', '--exit-fd=4'];
  if (opts.rootless) args.push(`--userns-path=/proc/${pid}/ns/user`);
  args.push('--netns-type=path', `/proc/${pid}/ns/net`, 'tap0');
  // fd 3: it writes "1" when ready; fd 4: when Kiln goes away (the pipe closes), it exits too.
  const child = spawn(slirp4netns, args, {
    env: CLEAN_ENV,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  // Its pipes break when it exits first (the namespace went away): never an uncaught error.
  for (const s of child.stdio) s?.on('error', () => undefined);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${(opts.timeoutMs ?? 10_000) / 1000} s`)),
        opts.timeoutMs ?? 10_000,
      );
      (child.stdio[3] as Readable).once('data', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code}`));
      });
    });
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw new SandboxError(
      `the RUN's network (slirp4netns) did not start: ${(e as Error).message}`,
      stderr.trim().split('\n').slice(-5),
    );
  }
  return {
    async stop() {
      stopChild(child);
      await exited;
    },
  };
}

function stopChild(child: ChildProcess): void {
  (child.stdio[4] as NodeJS.WritableStream | null)?.end();
  child.kill('SIGTERM');
}

/**
 * The RUN's resolv.conf behind slirp4netns: the host's search and options
 * lines, with slirp4netns's DNS forwarder as the only nameserver.
 */
export async function slirpResolvConf(hostFile = '/etc/resolv.conf'): Promise<string> {
  const host = await readFile(hostFile, 'utf8').catch(() => '');
  const keep = host.split('\n').filter((l) => /^\s*(search|domain|options)\s/.test(l));
  return [...keep, `nameserver ${SLIRP_DNS}`, ''].join('\n');
}
