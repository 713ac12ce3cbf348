/**
 * Whole builds through a faulty network (issue 19, item 4): ten builds, each
 * pulling its base through one fault proxy and pushing through another (two
 * registry names, so every blob is really uploaded), with the first request
 * answered 503 + Retry-After: 1, a stalled layer body, and 30% of all other
 * requests answered 503 or cut off mid-request or mid-response (a seeded
 * generator: the same faults every run). Every build must succeed and push a
 * valid image.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { build } from '../../src/executor/build.js';
import { defaultBuildOptions } from '../../src/executor/options.js';
import { parseReference } from '../../src/image/reference.js';
import { silentLogger } from '../../src/log.js';
import { RegistryClient } from '../../src/registry/client.js';
import { BUSYBOX_FIXTURE_BINARIES, pushBusyboxImage } from '../lab/busybox-fixture.js';
import { type FaultRule, seededRandom, startFaultProxy } from '../lab/fault-proxy.js';
import { describeWith } from '../lab/prereq.js';
import { startRegistry, type TestRegistry } from '../lab/registry.js';
import { validateImage } from '../lab/validate-image.js';

const BUILDS = 10;
const FAULT_RATE = 0.3;

/** 30% of requests: half of them 503, half cut off (request or response, by method). */
function randomFaults(): FaultRule[] {
  const every = { times: Number.POSITIVE_INFINITY };
  const cut = FAULT_RATE / 2 / (1 - FAULT_RATE / 2); // of the requests the 503 rule let through
  return [
    { ...every, chance: FAULT_RATE / 2, action: { kind: 'status', status: 503 } },
    { ...every, method: 'GET', chance: cut, action: { kind: 'reset-response' } },
    { ...every, method: 'PUT', chance: cut, action: { kind: 'reset-request', forward: true } },
    { ...every, method: 'PATCH', chance: cut, action: { kind: 'reset-request', forward: true } },
    { ...every, method: 'HEAD', chance: cut, action: { kind: 'reset-request', afterBytes: 0 } },
    { ...every, method: 'POST', chance: cut, action: { kind: 'reset-request', afterBytes: 0 } },
  ];
}

const firstRequest503: FaultRule = {
  action: { kind: 'status', status: 503, headers: { 'retry-after': '1' } },
};

describeWith(
  { binaries: [...BUSYBOX_FIXTURE_BINARIES, 'docker-registry'] },
  'builds through 30% registry faults',
  () => {
    let registry: TestRegistry;
    let tmp: string;
    let baseLayer: string;

    beforeAll(async () => {
      registry = await startRegistry();
      const direct = new RegistryClient();
      const { image } = await pushBusyboxImage(direct, [parseReference(`${registry.host}/base/busybox:1`)]);
      baseLayer = image.layers[0]!.digest;
      await direct.close();
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-fault-builds-'));
    });

    afterAll(async () => {
      await registry?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    test(`${BUILDS} of ${BUILDS} builds succeed and push valid images`, async () => {
      const outcomes: string[] = [];
      for (let i = 0; i < BUILDS; i++) {
        const random = seededRandom(1900 + i);
        const pull = await startFaultProxy(
          registry.url,
          [
            firstRequest503,
            {
              method: 'GET',
              path: new RegExp(`/blobs/${baseLayer}`),
              action: { kind: 'stall-body', afterBytes: 100_000 },
            },
            ...randomFaults(),
          ],
          { random },
        );
        const push = await startFaultProxy(registry.url, [firstRequest503, ...randomFaults()], { random });
        const delays: number[] = [];
        const client = new RegistryClient({
          insecure: [pull.host, push.host],
          retry: { sleep: async (ms) => void delays.push(ms) },
          bodyTimeoutMs: 1000,
          headersTimeoutMs: 2000,
          chunkSize: i % 2 ? 256 * 1024 : undefined,
          // One request at a time and reproducible digests: the same requests meet the same faults every run.
          concurrency: 1,
        });
        const ctx = await fs.mkdtemp(path.join(tmp, 'ctx-'));
        await fs.writeFile(
          path.join(ctx, 'Dockerfile'),
          [
            `FROM ${pull.host}/base/busybox:1`,
            `COPY --from=${pull.host}/base/busybox:1 /bin/busybox /copied/busybox`,
            'COPY build.txt /build.txt',
          ].join('\n'),
        );
        await fs.writeFile(path.join(ctx, 'build.txt'), `build ${i}\n`);
        const dest = `${push.host}/faults/build-${i}:1`;
        const options = defaultBuildOptions(ctx, path.join(ctx, 'Dockerfile'));
        options.destinations = [dest];
        options.insecureRegistries = [pull.host, push.host];
        options.workspace = path.join(tmp, `ws-${i}`);
        options.reproducible = true;
        try {
          const result = await build(options, silentLogger, { registry: client });
          const stored = await validateImage(new RegistryClient(), `${registry.host}/faults/build-${i}:1`);
          expect(stored.digest).toBe(result.digest);
          const faults = [...pull.requests, ...push.requests].filter((r) => r.fault).length;
          const requests = pull.requests.length + push.requests.length;
          outcomes.push(`build ${i}: ok (${faults} faults in ${requests} requests)`);
          expect(delays).toContain(1000);
          expect(pull.requests.some((r) => r.fault === 'stall-body')).toBe(true);
        } catch (e) {
          outcomes.push(`build ${i}: ${(e as Error).message}`);
        } finally {
          await client.close();
          await pull.stop();
          await push.stop();
        }
      }
      console.log(outcomes.join('\n'));
      expect(outcomes.filter((o) => !o.includes(': ok ('))).toEqual([]);
    }, 300_000);
  },
);
