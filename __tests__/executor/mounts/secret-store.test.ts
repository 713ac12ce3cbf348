import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { MAX_SECRET_SIZE, SecretError, SecretStore } from '../../../src/executor/mounts/secret-store.js';

test('secrets come from a file, a variable (unset: empty, as BuildKit) or a value', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kiln-secrets-'));
  try {
    await fs.writeFile(path.join(dir, 'f'), Buffer.from([0, 1, 2, 255]));
    const s = await SecretStore.load(
      [
        { id: 'file', file: path.join(dir, 'f') },
        { id: 'env', env: 'TOKEN' },
        { id: 'unset', env: 'NOT_SET' },
        { id: 'value', value: 'v' },
      ],
      { TOKEN: 'from-env' },
    );
    expect(s.get('file')).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(s.get('env')?.toString()).toBe('from-env');
    expect(s.get('unset')?.length).toBe(0);
    expect(s.get('value')?.toString()).toBe('v');
    expect(s.get('other')).toBeUndefined();
    await expect(SecretStore.load([{ id: 'x', file: path.join(dir, 'missing') }])).rejects.toThrow(
      new SecretError(`secret x: cannot read ${path.join(dir, 'missing')}: ENOENT`),
    );
    await fs.writeFile(path.join(dir, 'big'), Buffer.alloc(MAX_SECRET_SIZE + 1));
    await expect(SecretStore.load([{ id: 'big', file: path.join(dir, 'big') }])).rejects.toThrow(
      /limited to 512000 bytes/,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('redact hides every value and every line of a multi-line one, longest first; short ones are left', async () => {
  const s = await SecretStore.load([
    { id: 'npmrc', value: 'registry=https://r.test/\n//r.test/:_authToken=abcdef123456\n' },
    { id: 'tok', value: 'abcdef123456-longer' },
    { id: 'short', value: 'ab' },
  ]);
  expect(s.redact('token abcdef123456-longer and abcdef123456 ab')).toBe('token **** and abcdef123456 ab');
  expect(s.redact('//r.test/:_authToken=abcdef123456')).toBe('****');
  expect(s.redact('no secret here')).toBe('no secret here');
});
