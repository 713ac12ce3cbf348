/** guardOutputs: a failed write removes what it created; an interrupted one leaves that to the exit. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { guardOutputs } from '../../src/executor/partial-outputs.js';
import type { BuildSession } from '../../src/executor/session.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-partial-'));
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

function fakeSession() {
  const controller = new AbortController();
  const exits = new Set<() => void>();
  const session = {
    signal: controller.signal,
    onExit: (f: () => void) => {
      exits.add(f);
      return () => exits.delete(f);
    },
  } as unknown as BuildSession;
  return { session, controller, exits };
}

/** Writes a partial layout and a tar temp file, like an output writer cut short. */
async function partialWrite(dir: string) {
  const oci = path.join(dir, 'oci');
  const tar = path.join(dir, 'out.tar');
  await fs.mkdir(path.join(oci, 'blobs/sha256'), { recursive: true });
  await fs.writeFile(path.join(oci, 'oci-layout'), '{}');
  await fs.writeFile(`${tar}.tmp-abc123`, 'partial');
  return { oci, tar };
}

test('a failed write removes a layout it created and the tar temp files; an existing layout stays', async () => {
  const dir = await fs.mkdtemp(path.join(tmp, 'fail-'));
  const { session, exits } = fakeSession();
  const oci = path.join(dir, 'oci');
  const tar = path.join(dir, 'out.tar');
  await expect(
    guardOutputs(session, { ociLayoutPath: oci, tarPath: tar }, async () => {
      await partialWrite(dir);
      throw new Error('disk broke');
    }),
  ).rejects.toThrow('disk broke');
  expect(await fs.readdir(dir)).toEqual([]);
  expect(exits.size).toBe(0);

  const existing = await fs.mkdtemp(path.join(tmp, 'existing-'));
  await fs.mkdir(path.join(existing, 'oci'));
  await expect(
    guardOutputs(session, { ociLayoutPath: path.join(existing, 'oci') }, async () => {
      await partialWrite(existing);
      throw new Error('again');
    }),
  ).rejects.toThrow('again');
  expect((await fs.readdir(existing)).sort()).toEqual(['oci', 'out.tar.tmp-abc123']);
});

test('interrupted: returns at once, and the exit cleanup removes what the still-running writer left', async () => {
  const dir = await fs.mkdtemp(path.join(tmp, 'int-'));
  const { session, controller, exits } = fakeSession();
  let finish: () => void = () => undefined;
  const guarded = guardOutputs(
    session,
    { ociLayoutPath: path.join(dir, 'oci'), tarPath: path.join(dir, 'out.tar') },
    async () => {
      await partialWrite(dir);
      await new Promise<void>((r) => {
        finish = r;
      });
    },
  );
  await new Promise((r) => setTimeout(r, 50));
  controller.abort(new Error('interrupted by SIGTERM'));
  await expect(guarded).rejects.toThrow('interrupted by SIGTERM');
  expect(exits.size).toBe(1);
  for (const f of exits) f();
  expect(await fs.readdir(dir)).toEqual([]);
  finish();
});
