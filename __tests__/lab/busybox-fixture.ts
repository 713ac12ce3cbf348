/**
 * Test images made locally. makeBusyboxImage(): a one-layer base from
 * `busybox-static` (/bin/busybox, /bin/sh and the applet symlinks,
 * /etc/passwd and /etc/group with root, nobody and uid 1000 `kiln`), built
 * with GNU tar (--sort=name --numeric-owner, fixed mtime) and gzip, plus an
 * OCI config and manifest. The layer is cached in the temp dir under a key of
 * the busybox binary, so a test run builds it once. Also small helpers to make
 * file-backed layers and whole images for other tests.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Blob, Layer } from '../../src/image/blob.js';
import { type Digest, DigestingStream, parseDigest, sha256 } from '../../src/image/digest.js';
import type { ImageConfig, ImageManifest, Platform } from '../../src/image/manifest.js';
import { MediaType } from '../../src/image/media-types.js';
import { hostPlatform } from '../../src/image/platform.js';
import type { Reference } from '../../src/image/reference.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { type PushImageInput, pushImage } from '../../src/registry/push.js';

const FIXTURE_VERSION = 'busybox-fixture-v1';
/** Every entry's mtime: 2000-01-01T00:00:00Z. */
export const FIXTURE_EPOCH = 946684800;
const BUSYBOX = '/bin/busybox';
/** What pushBusyboxImage() needs on the machine: for describeWith({ binaries }). */
export const BUSYBOX_FIXTURE_BINARIES = ['busybox', 'tar'];
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A blob whose bytes are in memory (configs, small test blobs). */
export function bufferBlob(mediaType: string, bytes: Buffer): Blob {
  return { mediaType, digest: sha256(bytes), size: bytes.length, open: () => Readable.from([bytes]) };
}

export interface LayerFile {
  path: string;
  digest: Digest;
  diffId: Digest;
  size: number;
  mediaType: string;
}

/** A Layer backed by a gzip file on disk. */
export function fileLayer(f: LayerFile): Layer {
  return {
    mediaType: f.mediaType,
    digest: f.digest,
    diffId: f.diffId,
    size: f.size,
    open: () => createReadStream(f.path),
    openUncompressed: () => createReadStream(f.path).pipe(createGunzip()),
  };
}

/** Tars `dir` with GNU tar (sorted, numeric owners, fixed mtime) and gzips it into `out`. */
export async function tarLayer(
  dir: string,
  out: string,
  opts: { forceRootOwner?: boolean; mediaType?: string } = {},
): Promise<LayerFile> {
  const entries = (await readdir(dir)).sort();
  const args = ['--sort=name', '--numeric-owner', `--mtime=@${FIXTURE_EPOCH}`, '--format=gnu'];
  if (opts.forceRootOwner) args.push('--owner=0', '--group=0');
  args.push('-C', dir, '-cf', '-', '--', ...entries);
  const tar = spawn('tar', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}`))));
  });
  const diff = new DigestingStream();
  const comp = new DigestingStream();
  await Promise.all([
    pipeline(tar.stdout, diff, createGzip({ level: 6 }), comp, createWriteStream(out)),
    exited,
  ]);
  return {
    path: out,
    digest: comp.digest,
    diffId: diff.digest,
    size: comp.size,
    mediaType: opts.mediaType ?? MediaType.OciLayerGzip,
  };
}

/** Writes files (path → content; a trailing `/` makes a directory) under a fresh dir and tars it. */
export async function layerFromFiles(
  workDir: string,
  files: Record<string, string | Buffer>,
): Promise<Layer> {
  const root = await mkdtemp(join(workDir, 'layer-'));
  for (const [p, content] of Object.entries(files)) {
    const full = join(root, p);
    if (p.endsWith('/')) {
      await mkdir(full, { recursive: true });
      continue;
    }
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
  const f = await tarLayer(root, `${root}.tar.gz`, { forceRootOwner: true });
  await rm(root, { recursive: true, force: true });
  return fileLayer(f);
}

export interface TestImage extends PushImageInput {
  config: ImageConfig;
  configBytes: Buffer;
  configBlob: Blob;
  manifestJson: ImageManifest;
  layers: Layer[];
  digest: Digest;
}

/** An OCI (or Docker schema 2) image of these layers. */
export function imageOf(
  layers: Layer[],
  opts: { platform?: Platform; format?: 'oci' | 'docker'; config?: Partial<ImageConfig> } = {},
): TestImage {
  const platform = opts.platform ?? hostPlatform();
  const docker = opts.format === 'docker';
  const config: ImageConfig = {
    created: new Date(FIXTURE_EPOCH * 1000).toISOString(),
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: [PATH_ENV], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({
      created: new Date(FIXTURE_EPOCH * 1000).toISOString(),
      created_by: 'kiln test lab',
    })),
    ...opts.config,
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configBlob = bufferBlob(docker ? MediaType.DockerConfig : MediaType.OciConfig, configBytes);
  const mediaType = docker ? MediaType.DockerManifest : MediaType.OciManifest;
  const manifestJson: ImageManifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: configBlob.mediaType, digest: configBlob.digest, size: configBlob.size },
    layers: layers.map((l) => ({
      mediaType: docker ? MediaType.DockerLayerGzip : l.mediaType,
      digest: l.digest,
      size: l.size,
    })),
  };
  const manifest = Buffer.from(JSON.stringify(manifestJson));
  return {
    manifest,
    mediaType,
    blobs: [configBlob, ...layers],
    config,
    configBytes,
    configBlob,
    manifestJson,
    layers,
    digest: sha256(manifest),
  };
}

/** The image has no libc: a dynamically linked busybox would not run in it. */
function assertStatic(path: string): void {
  let out = '';
  try {
    out = execFileSync('ldd', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  if (/=>|ld-linux/.test(out)) {
    throw new Error(
      `${path} is dynamically linked; the busybox fixture needs busybox-static (apt-get install busybox-static)`,
    );
  }
}

/**
 * The busybox root: `binary` (the host's, or another architecture's static
 * busybox of the same Debian version) with the host busybox's applet list.
 */
async function buildBusyboxRoot(root: string, binary: string): Promise<void> {
  if (binary === BUSYBOX) assertStatic(BUSYBOX);
  const asRoot = process.getuid?.() === 0;
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp', 'home/kiln']) {
    await mkdir(join(root, d), { recursive: true });
  }
  await writeFile(join(root, 'bin/busybox'), await readFile(binary));
  await chmod(join(root, 'bin/busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of new Set(['bin/sh', ...applets])) {
    if (a === 'bin/busybox' || a.includes('..')) continue;
    await mkdir(join(root, dirname(a)), { recursive: true });
    if (!existsSync(join(root, a))) await symlink('/bin/busybox', join(root, a));
  }
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nkiln:x:1000:1000:kiln:/home/kiln:/bin/sh\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnobody:x:65534:\nkiln:x:1000:\n');
  await chmod(join(root, 'tmp'), 0o1777);
  await chmod(join(root, 'root'), 0o700);
  if (asRoot) await chown(join(root, 'home/kiln'), 1000, 1000);
}

/** Builds (or reuses) the busybox layer of `binary` (default the host's); returns it as a file-backed Layer. */
export async function busyboxLayer(binary = BUSYBOX): Promise<Layer> {
  const asRoot = process.getuid?.() === 0;
  const key = createHash('sha256')
    .update(FIXTURE_VERSION)
    .update(asRoot ? 'root' : 'user')
    .update(readFileSync(binary))
    .digest('hex')
    .slice(0, 16);
  const cacheRoot = join(tmpdir(), 'kiln-lab-cache');
  const dir = join(cacheRoot, `busybox-${key}`);
  const metaPath = join(dir, 'layer.json');
  if (!existsSync(metaPath)) {
    await mkdir(cacheRoot, { recursive: true });
    const work = await mkdtemp(join(cacheRoot, 'build-'));
    try {
      const root = join(work, 'rootfs');
      await buildBusyboxRoot(root, binary);
      const f = await tarLayer(root, join(work, 'layer.tar.gz'), { forceRootOwner: !asRoot });
      await rm(root, { recursive: true, force: true });
      await writeFile(join(work, 'layer.json'), JSON.stringify({ ...f, path: 'layer.tar.gz' }));
      await rename(work, dir).catch(async (e: NodeJS.ErrnoException) => {
        // Another worker finished first: use theirs.
        if (!existsSync(metaPath)) throw e;
        await rm(work, { recursive: true, force: true });
      });
    } catch (e) {
      await rm(work, { recursive: true, force: true });
      throw e;
    }
  }
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as LayerFile;
  return fileLayer({
    ...meta,
    path: join(dir, meta.path),
    digest: parseDigest(meta.digest),
    diffId: parseDigest(meta.diffId),
  });
}

/** The busybox base image: one layer, OCI config (Cmd ["sh"], PATH) and manifest. */
export async function makeBusyboxImage(
  opts: { platform?: Platform; format?: 'oci' | 'docker'; binary?: string } = {},
): Promise<TestImage> {
  return imageOf([await busyboxLayer(opts.binary)], opts);
}

/** Pushes the busybox image with the project's client; returns it and its digest. */
export async function pushBusyboxImage(
  client: RegistryClient,
  refs: Reference[],
): Promise<{ image: TestImage; digest: Digest }> {
  const image = await makeBusyboxImage();
  const digest = await pushImage(client, refs, image);
  return { image, digest };
}
