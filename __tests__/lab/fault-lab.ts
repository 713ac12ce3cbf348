/**
 * The setup registry fault suites share: a real registry, a test image (the
 * busybox base plus a small layer), clients whose retries record their waits
 * instead of sleeping (and their warnings), and fault proxies stopped after
 * each test. Call at the top of a describe(); the fields are valid in tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { hexOf } from '../../src/image/digest.js';
import { parseReference, type Reference } from '../../src/image/reference.js';
import { silentLogger } from '../../src/log.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import { imageOf, layerFromFiles, makeBusyboxImage, type TestImage } from './busybox-fixture.js';
import { type FaultProxy, type FaultProxyOptions, type FaultRule, startFaultProxy } from './fault-proxy.js';
import { startRegistry, type TestRegistry } from './registry.js';

export interface FaultLab {
  reg: TestRegistry;
  image: TestImage;
  /** Hex of the busybox layer's digest: the one big blob. */
  big: string;
  /** Waits the clients' retry policies asked for, in order (cleared after each test). */
  delays: number[];
  /** Warnings the clients logged (cleared after each test). */
  warnings: string[];
  /** A client (closed after the test) with the lab's retry policy. */
  client(opts?: RegistryClientOptions): RegistryClient;
  /** A fault proxy in front of the registry, or of `target` (stopped after the test). */
  startProxy(rules?: FaultRule[], opts?: FaultProxyOptions, target?: string): Promise<FaultProxy>;
  at(host: string, path: string): Reference;
}

export function useFaultLab(opts: { name: string; attempts: number; maxDelayMs: number }): FaultLab {
  const clients: RegistryClient[] = [];
  const proxies: FaultProxy[] = [];
  let work = '';
  // reg, image and big are set in beforeAll.
  const lab = {
    delays: [] as number[],
    warnings: [],
    client(o: RegistryClientOptions = {}) {
      const c = new RegistryClient({
        retry: {
          attempts: opts.attempts,
          baseDelayMs: 1,
          maxDelayMs: opts.maxDelayMs,
          sleep: async (ms) => void lab.delays.push(ms),
        },
        logger: { ...silentLogger, warn: (m: string) => void lab.warnings.push(m) },
        ...o,
      });
      clients.push(c);
      return c;
    },
    async startProxy(rules: FaultRule[] = [], o: FaultProxyOptions = {}, target?: string) {
      const p = await startFaultProxy(target ?? lab.reg.url, rules, o);
      proxies.push(p);
      return p;
    },
    at: (host: string, path: string) => parseReference(`${host}/${path}`),
  } as Omit<FaultLab, 'reg' | 'image' | 'big'> as FaultLab;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), `kiln-${opts.name}-`));
    const base = await makeBusyboxImage();
    const small = await layerFromFiles(work, { 'etc/motd': `${opts.name}\n` });
    lab.image = imageOf([...base.layers, small]);
    lab.big = hexOf(base.layers[0]!.digest);
    lab.reg = await startRegistry();
  });
  afterEach(async () => {
    lab.delays.length = 0;
    lab.warnings.length = 0;
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await lab.reg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  return lab;
}
