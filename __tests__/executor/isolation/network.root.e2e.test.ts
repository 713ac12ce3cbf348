/**
 * The RUN's network and syscall boundary for real (root, chroot isolation):
 * by default a RUN has a network namespace of its own behind slirp4netns, so
 * it reaches other machines (here: a service on the host's non-loopback
 * address, as a package mirror would be) but not the host's loopback
 * services, and it runs under the seccomp filter without CAP_NET_RAW.
 * `network: host` is the explicit way back to the host's network.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { isUnavailable, type Sandbox } from '../../../src/executor/isolation/sandbox.js';
import { selectSandbox } from '../../../src/executor/isolation/sandbox-select.js';
import { silentLogger } from '../../../src/log.js';
import { describeWith } from '../../lab/prereq.js';
import { makeBusyboxRootfs, tempDir } from '../busybox-rootfs.js';
import { runIn } from './sandbox-harness.js';

/** A TCP service that answers `reply` to every connection and hangs up. */
async function serve(host: string, reply: string): Promise<{ server: Server; port: number }> {
  const server = createServer((c) => c.end(`${reply}\n`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return { server, port: addr.port };
}

/** The first IPv4 address of this machine that is not loopback. */
function outsideAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address to stand for a server outside it');
}

describeWith(
  { root: true, binaries: ['unshare', 'setpriv', 'busybox', 'slirp4netns'] },
  'the RUN network and syscall boundary (chroot, root)',
  () => {
    let dir: string;
    let root: string;
    let sandbox: Sandbox;
    let loopback: { server: Server; port: number };
    let outside: { server: Server; port: number };
    let outsideIp: string;

    beforeAll(async () => {
      dir = tempDir('kiln-network-');
      root = makeBusyboxRootfs(dir);
      const s = await selectSandbox('chroot', silentLogger, { scratchDir: dir });
      if (isUnavailable(s)) throw new Error(s.unavailable);
      sandbox = s;
      outsideIp = outsideAddress();
      loopback = await serve('127.0.0.1', 'host-loopback-secret');
      outside = await serve(outsideIp, 'mirror-answered');
    });
    afterAll(() => {
      loopback?.server.close();
      outside?.server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const ask = (host: string, port: number) => `nc -w 3 ${host} ${port} </dev/null || echo refused`;

    test('default: outbound works, the host loopback (directly or through the gateway) does not', async () => {
      const r = await runIn(
        sandbox,
        root,
        [
          ask(outsideIp, outside.port),
          ask('127.0.0.1', loopback.port),
          ask('10.0.2.2', loopback.port),
          "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' '; echo",
        ].join('; '),
      );
      expect(r.stdout.split('\n').slice(0, 4)).toEqual(['mirror-answered', 'refused', 'refused', 'lo tap0 ']);
      expect(r.stdout).not.toContain('host-loopback-secret');
    });

    test("default: DNS through slirp4netns's forwarder", async () => {
      const r = await runIn(sandbox, root, 'grep ^nameserver /etc/resolv.conf');
      expect(r.stdout.trim()).toBe('nameserver 10.0.2.3');
    });

    test("network host: the host's loopback services, as asked", async () => {
      const r = await runIn(sandbox, root, ask('127.0.0.1', loopback.port), { network: 'host' });
      expect(r.stdout.trim()).toBe('host-loopback-secret');
    });

    test('the seccomp filter: on, a user namespace refused; off under --security=insecure', async () => {
      const r = await runIn(
        sandbox,
        root,
        'grep ^Seccomp: /proc/self/status; unshare -U true 2>/dev/null && echo userns-made || echo userns-refused',
      );
      expect(r.stdout.split('\n').slice(0, 2)).toEqual(['Seccomp:\t2', 'userns-refused']);
      const insecure = await runIn(sandbox, root, 'grep ^Seccomp: /proc/self/status', {
        security: 'insecure',
      });
      expect(insecure.stdout.trim()).toBe('Seccomp:\t0');
    });
  },
);
