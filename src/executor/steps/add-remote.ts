/**
 * ADD <url>: the file is downloaded (redirects followed), checked against
 * --checksum when given, named after the URL's last path segment, mode 0600,
 * mtime from Last-Modified when the server sends one (as BuildKit does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Agent, interceptors, request } from 'undici';
import { DigestingStream } from '../../image/digest.js';

export class RemoteSourceError extends Error {
  override name = 'RemoteSourceError';
}

export function isRemoteSource(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

export interface Downloaded {
  /** Directory holding the file. */
  dir: string;
  name: string;
  digest: string;
}

/** Downloads `url` into the empty directory `dir`. */
export async function downloadSource(
  url: string,
  dir: string,
  checksum: string | undefined,
): Promise<Downloaded> {
  let name: string;
  try {
    const u = new URL(url);
    name = decodeURIComponent(path.posix.basename(u.pathname)) || 'index.html';
  } catch {
    throw new RemoteSourceError(`ADD ${url}: not a valid URL`);
  }
  if (name === '.' || name === '..' || name.includes('/')) name = 'download';
  const dispatcher = new Agent().compose(interceptors.redirect({ maxRedirections: 10 }));
  try {
    const res = await request(url, {
      method: 'GET',
      dispatcher,
      headersTimeout: 60_000,
      bodyTimeout: 300_000,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      throw new RemoteSourceError(`ADD ${url}: the server answered HTTP ${res.statusCode}`);
    }
    const file = path.join(dir, name);
    const hashing = new DigestingStream();
    await pipeline(res.body, hashing, fs.createWriteStream(file, { mode: 0o600 }));
    const digest = hashing.digest;
    if (checksum && checksum !== digest) {
      throw new RemoteSourceError(
        `ADD ${url}: checksum mismatch: expected ${checksum}, downloaded ${digest}`,
      );
    }
    await fs.promises.chmod(file, 0o600);
    const lm = res.headers['last-modified'];
    const when = typeof lm === 'string' ? new Date(lm) : undefined;
    if (when && !Number.isNaN(when.getTime())) await fs.promises.utimes(file, when, when);
    return { dir, name, digest };
  } catch (e) {
    if (e instanceof RemoteSourceError) throw e;
    throw new RemoteSourceError(`ADD ${url}: download failed: ${(e as Error).message}`);
  } finally {
    await dispatcher.close();
  }
}
