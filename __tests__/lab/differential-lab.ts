/**
 * The lab a differential test file shares: a registry holding the bases
 * (`busybox`, and `layered`: busybox plus layers with whiteouts, an opaque
 * dir, hardlinks, setuid, owners, symlinked dirs and a file capability), a
 * small HTTP file server for `ADD <url>`, and a work dir for cases and
 * buildah's storage. Dockerfiles name them as `{{busybox}}`, `{{layered}}`,
 * `{{http}}`.
 */

import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { unmountUnder } from '../../src/executor/fs/mounts.js';
import type { Layer } from '../../src/image/blob.js';
import { parseDigest } from '../../src/image/digest.js';
import { MediaType } from '../../src/image/media-types.js';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { pushImage } from '../../src/registry/push.js';
import { busyboxLayer, FIXTURE_EPOCH, fileLayer, imageOf } from './busybox-fixture.js';
import { type FileTree, writeFileTree } from './file-tree.js';
import { startRegistry, type TestRegistry } from './registry.js';

export type Placeholder = 'busybox' | 'layered' | 'http';

export interface DifferentialLab {
  work: string;
  registry: TestRegistry;
  /** What each `{{placeholder}}` stands for. */
  names: Record<Placeholder, string>;
  stop(): Promise<void>;
}

/** `security.capability` of `setcap cap_net_raw+ep` (VFS v2, effective). */
export const CAP_NET_RAW = '0x0100000200200000000000000000000000000000';

const LAYERED_MIDDLE: FileTree = {
  'opt/app/keep.txt': 'keep v1\n',
  'opt/app/old.txt': 'old\n',
  'opt/app/sub/deep.txt': 'deep\n',
  'opt/tree/a': 'a\n',
  'opt/tree/sub/b': 'b\n',
  'var/lib/data': { dir: true, mode: 0o750, uid: 1000, gid: 1000 },
  'var/lib/data/owned.txt': { content: 'owned\n', mode: 0o640, uid: 1000, gid: 1000 },
  'usr/local/bin/suid': { content: '#!/bin/sh\necho suid\n', mode: 0o4755 },
  'usr/local/bin/suid-link': { hardlink: 'usr/local/bin/suid' },
  'srv/abs-dir': { symlink: '/opt/app' },
  'srv/rel-dir': { symlink: '../opt/app' },
  shared: { dir: true, mode: 0o1777 },
};
const LAYERED_TOP: FileTree = {
  'opt/app/.wh.old.txt': '',
  'opt/app/keep.txt': 'keep v2\n',
  'opt/tree/.wh..wh..opq': '',
  'opt/tree/c': 'c\n',
  'usr/local/bin/cap-tool': { content: 'cap\n', mode: 0o755, xattrs: { 'security.capability': CAP_NET_RAW } },
  'usr/local/bin/cap-untouched': {
    content: 'cap2\n',
    mode: 0o755,
    xattrs: { 'security.capability': CAP_NET_RAW },
  },
};

/** Files the lab's HTTP server serves, all with this Last-Modified. */
export const HTTP_LAST_MODIFIED = 'Tue, 01 Feb 2005 00:00:00 GMT';
const HTTP_FILES: FileTree = {
  'hello.txt': 'hello over http\n',
  'archive.tar.gz': { archive: 'tar.gz', files: { 'inside/file': 'inside\n' } },
};

/** Runs a command; resolves with stdout+stderr, rejects with the command and its output's tail. */
export function runCommand(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { ...opts, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
        reject(new Error(`${cmd} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${tail}`));
      } else resolve(`${stdout}${stderr}`);
    });
  });
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return `sha256:${h.digest('hex')}`;
}

/** A layer of `dir` by GNU tar in PAX format with security.capability xattrs, fixed mtime, numeric owners. */
async function paxLayer(dir: string, out: string): Promise<Layer> {
  execFileSync(
    'tar',
    [
      '--sort=name',
      '--numeric-owner',
      '--format=posix',
      '--pax-option=delete=atime,delete=ctime',
      '--xattrs',
      '--xattrs-include=security.capability',
      `--mtime=@${FIXTURE_EPOCH}`,
      '-C',
      dir,
      '-cf',
      `${out}.tar`,
      '.',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await pipeline(createReadStream(`${out}.tar`), createGzip(), createWriteStream(out));
  return fileLayer({
    path: out,
    diffId: parseDigest(await sha256File(`${out}.tar`)),
    digest: parseDigest(await sha256File(out)),
    size: (await stat(out)).size,
    mediaType: MediaType.OciLayerGzip,
  });
}

async function pushLayered(work: string, registry: TestRegistry, client: RegistryClient): Promise<void> {
  const layers = [await busyboxLayer()];
  for (const [name, tree] of [
    ['middle', LAYERED_MIDDLE],
    ['top', LAYERED_TOP],
  ] as const) {
    const dir = join(work, `layered-${name}`);
    await writeFileTree(dir, tree);
    layers.push(await paxLayer(dir, `${dir}.tar.gz`));
  }
  const image = imageOf(layers, {
    config: {
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'BASE_ENV=layered'],
        Cmd: ['sh'],
        Labels: { 'org.example.base': 'layered', 'org.example.overridden': 'base' },
        WorkingDir: '/opt/app',
      },
    },
  });
  await pushImage(client, [parseReference(`${registry.host}/lab/layered:latest`)], image);
}

async function startFileServer(dir: string): Promise<{ url: string; server: Server }> {
  await writeFileTree(dir, HTTP_FILES);
  const server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1));
    if (!Object.hasOwn(HTTP_FILES, name)) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(dir, name)).then(
      (body) => {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': body.length,
          'last-modified': HTTP_LAST_MODIFIED,
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Starts the lab. KILN_DIFF_KEEP=1 keeps its work dir after stop() (for debugging). */
export async function startLab(): Promise<DifferentialLab> {
  const work = await mkdtemp(join(tmpdir(), 'kiln-diff-'));
  const registry = await startRegistry();
  const client = new RegistryClient({ insecure: [registry.host] });
  let http: { url: string; server: Server } | undefined;
  const stop = async () => {
    await registry.stop();
    await new Promise((r) => (http ? http.server.close(r) : r(undefined)));
    // Anything a crashed build left mounted goes before the directory.
    await unmountUnder(work);
    if (!process.env.KILN_DIFF_KEEP) await rm(work, { recursive: true, force: true });
  };
  try {
    await pushImage(
      client,
      [parseReference(`${registry.host}/lab/busybox:latest`)],
      imageOf([await busyboxLayer()]),
    );
    await pushLayered(work, registry, client);
    http = await startFileServer(join(work, 'http'));
  } catch (e) {
    await stop();
    throw e;
  } finally {
    await client.close();
  }
  return {
    work,
    registry,
    names: {
      busybox: `${registry.host}/lab/busybox:latest`,
      layered: `${registry.host}/lab/layered:latest`,
      http: http.url,
    },
    stop,
  };
}

/** Replaces `{{busybox}}`, `{{layered}}`, `{{http}}` with what they stand for in this lab. */
export function fillPlaceholders(text: string, lab: DifferentialLab): string {
  return text.replace(/\{\{(busybox|layered|http)\}\}/g, (_, p: Placeholder) => lab.names[p]);
}
