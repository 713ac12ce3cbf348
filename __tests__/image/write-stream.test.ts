import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from '@jest/globals';
import { discardStream } from '../../src/image/write-stream.js';

test('a stream discarded before it opened has created its file by the time discardStream resolves', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-write-stream-'));
  try {
    for (let i = 0; i < 20; i++) {
      const file = path.join(dir, `f${i}`);
      const out = createWriteStream(file);
      await discardStream(out);
      // The late open() has happened by now, so removing is final: nothing creates the file afterwards.
      expect(existsSync(file)).toBe(true);
      await unlink(file);
      await sleep(5);
      expect(existsSync(file)).toBe(false);
    }
    const closed = createWriteStream(path.join(dir, 'closed'));
    await new Promise((r) => closed.end(r));
    await discardStream(closed); // already closed: resolves at once
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
