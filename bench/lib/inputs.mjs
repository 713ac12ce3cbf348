/**
 * The bench's inputs, made locally and deterministically (seeded PRNG,
 * fixed mtimes) and kept between runs behind a version stamp:
 * - rootfs tars: Debian bookworm minbase (debootstrap, or a ready tar),
 *   busybox (busybox-static + applet links), 93,000 small files;
 * - build contexts: a small app, a 30,000-file node_modules-like tree, a
 *   source tree for the multi-stage case, one 1 GiB file, jq's .debs with
 *   a small app (edit-rebuild, second-image).
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from './sh.mjs';

/** Bump to regenerate every input. */
const INPUTS_VERSION = 'inputs-v1';
const EPOCH = 946684800; // 2000-01-01
const MiB = 1024 * 1024;

/** mulberry32: small, seeded, good enough for shapes and sizes. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'const let var function return if else for while import export default from require module ' +
  'exports this new class extends super async await yield try catch finally throw typeof ' +
  'undefined null true false Object Array String Number Promise Map Set JSON parse stringify ' +
  'length push pop slice splice map filter reduce forEach keys values entries assign create ' +
  'prototype call apply bind options config value result error callback resolve reject then'
).split(' ');

/** ~1 MiB of JavaScript-looking text that file bodies are sliced from. */
function makeCorpus(rand) {
  const parts = [];
  let n = 0;
  while (n < MiB) {
    const line = [];
    const words = 3 + Math.floor(rand() * 10);
    for (let i = 0; i < words; i++) line.push(WORDS[Math.floor(rand() * WORDS.length)]);
    const s = `${'  '.repeat(Math.floor(rand() * 4))}${line.join(rand() < 0.3 ? '.' : ' ')}${rand() < 0.5 ? ';' : ' {'}\n`;
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join(''));
}

class TextFiles {
  constructor(seed) {
    this.rand = prng(seed);
    this.corpus = makeCorpus(this.rand);
  }

  /** Size drawn from a long-tailed distribution around `median` bytes. */
  size(median) {
    const r = this.rand();
    const f =
      r < 0.6
        ? 0.2 + r
        : r < 0.9
          ? 1 + (r - 0.6) * 20
          : r < 0.99
            ? 7 + (r - 0.9) * 200
            : 25 + (r - 0.99) * 8000;
    return Math.max(16, Math.floor(median * f));
  }

  /** A unique body of `size` bytes. */
  body(name, size) {
    const head = Buffer.from(`// ${name}\n`);
    const start = Math.floor(this.rand() * (this.corpus.length - 1));
    const chunks = [head];
    let n = head.length;
    let at = start;
    while (n < size) {
      const take = Math.min(size - n, this.corpus.length - at);
      chunks.push(this.corpus.subarray(at, at + take));
      n += take;
      at = 0;
    }
    return Buffer.concat(chunks).subarray(0, size);
  }
}

function writeFile(path, data, mode = 0o644) {
  writeFileSync(path, data, { mode });
  utimesSync(path, EPOCH, EPOCH);
}

/** Runs make() unless `dir`'s stamp matches; make() writes into a temp sibling that is renamed into place. */
async function cached(dir, key, log, what, make) {
  const stamp = `${dir}.stamp`;
  const want = `${INPUTS_VERSION} ${key}`;
  if (existsSync(dir) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return dir;
  log(`making ${what}…`);
  const started = Date.now();
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await make(tmp);
  renameSync(tmp, dir);
  writeFileSync(stamp, want);
  log(`  ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

async function tarDir(src, out) {
  await run([
    'tar',
    '--sort=name',
    '--numeric-owner',
    '--owner=0',
    '--group=0',
    `--mtime=@${EPOCH}`,
    '--clamp-mtime',
    '-cf',
    out,
    '-C',
    src,
    '.',
  ]);
}

// ---------------------------------------------------------------- rootfs tars

/**
 * Debian bookworm minbase as a tar. amd64 (this machine's): a ready one
 * (/tmp/arch/deb.tar) or debootstrap. Another architecture (arm64):
 * `debootstrap --foreign`, its second stage run in a chroot under QEMU
 * (binfmt_misc with the F flag).
 */
export async function debianTar(cacheDir, log, arch = 'amd64') {
  const out = join(
    cacheDir,
    arch === 'amd64' ? 'debian-bookworm-minbase.tar' : `debian-bookworm-minbase-${arch}.tar`,
  );
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const ready = '/tmp/arch/deb.tar';
  if (arch === 'amd64' && existsSync(ready) && statSync(ready).size > 100 * MiB) {
    log(`using the Debian rootfs tar ${ready}`);
    copyFileSync(ready, `${out}.tmp`);
    renameSync(`${out}.tmp`, out);
    return out;
  }
  const root = join(cacheDir, `debian-rootfs-${arch}`);
  rmSync(root, { recursive: true, force: true });
  const foreign = arch === 'amd64' ? [] : [`--arch=${arch}`, '--foreign'];
  log(`debootstrap ${foreign.join(' ')} --variant=minbase bookworm (a few minutes, once)…`);
  const opts = { log: join(cacheDir, `debootstrap-${arch}.log`), timeoutMs: 30 * 60_000 };
  await run(['debootstrap', ...foreign, '--variant=minbase', 'bookworm', root, mirror()], opts);
  if (foreign.length) await run(['chroot', root, '/debootstrap/debootstrap', '--second-stage'], opts);
  await run(['tar', '--numeric-owner', '-cf', `${out}.tmp`, '-C', root, '.']);
  renameSync(`${out}.tmp`, out);
  rmSync(root, { recursive: true, force: true });
  return out;
}

/** The Debian mirror apt uses here (falls back to deb.debian.org). */
function mirror() {
  for (const f of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      const text = readFileSync(f, 'utf8');
      const m = /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
      if (m) return m[1];
    } catch {
      // next
    }
  }
  return 'http://deb.debian.org/debian';
}

/** busybox-static's binary, its applets as symlinks, /etc/passwd and /etc/group. */
export async function busyboxTar(dir, log) {
  const bin = '/bin/busybox';
  const key = createHash('sha256').update(readFileSync(bin)).digest('hex').slice(0, 16);
  const made = await cached(join(dir, 'busybox'), key, log, 'the busybox rootfs', async (tmp) => {
    const root = join(tmp, 'rootfs');
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'tmp', 'root', 'home', 'var'])
      mkdirSync(join(root, d), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync(bin, join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    const list = (await run([bin, '--list-full'])).stdout.split('\n').filter(Boolean);
    for (const applet of list) {
      const p = join(root, applet);
      if (existsSync(p)) continue;
      mkdirSync(dirname(p), { recursive: true });
      symlinkSync('/bin/busybox', p);
    }
    writeFile(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
    );
    writeFile(join(root, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
    await tarDir(root, join(tmp, 'rootfs.tar'));
    rmSync(root, { recursive: true });
  });
  return join(made, 'rootfs.tar');
}

/** 93,000 small files (with Debian's ~7,000: a 100,000-file rootfs). */
export async function manyFilesTar(dir, log) {
  const count = 93_000;
  const made = await cached(join(dir, 'many-files'), `${count}`, log, `${count} small files`, async (tmp) => {
    const root = join(tmp, 'rootfs');
    const files = new TextFiles(7);
    let n = 0;
    for (let a = 0; n < count; a++) {
      for (let b = 0; b < 30 && n < count; b++) {
        const d = join(root, 'data', `set-${a}`, `part-${b}`);
        mkdirSync(d, { recursive: true });
        for (let c = 0; c < 100 && n < count; c++, n++) {
          const name = `item-${c}.txt`;
          writeFile(join(d, name), files.body(name, files.size(600)));
        }
      }
    }
    await tarDir(root, join(tmp, 'rootfs.tar'));
    rmSync(root, { recursive: true });
  });
  return join(made, 'rootfs.tar');
}

/**
 * The extraction micro-benchmark's input: the Debian rootfs plus small files
 * under /srv/pad up to `entries` tar entries in all (the size of the base
 * issue 17 measured), as a tar and as the same tar gzip'd (-6).
 */
export async function extractionTars(dir, debian, log, entries = 94_000) {
  const key = `${entries} ${statSync(debian).size}`;
  const made = await cached(
    join(dir, 'extract-input'),
    key,
    log,
    `a ${entries}-entry rootfs tar`,
    async (tmp) => {
      const root = join(tmp, 'rootfs');
      mkdirSync(root);
      await run(['tar', '--numeric-owner', '-xpf', debian, '-C', root]);
      const have = (await run(['tar', '-tf', debian])).stdout.split('\n').filter(Boolean).length;
      const files = new TextFiles(11);
      let n = have + 1; // srv/pad
      mkdirSync(join(root, 'srv/pad'), { recursive: true });
      for (let a = 0; n < entries; a++) {
        const d = join(root, 'srv/pad', `set-${a}`);
        mkdirSync(d);
        n++;
        for (let c = 0; c < 100 && n < entries; c++, n++) {
          const name = `item-${c}.txt`;
          writeFile(join(d, name), files.body(name, files.size(600)));
        }
      }
      await run(['tar', '--numeric-owner', '--xattrs', '-cf', join(tmp, 'rootfs.tar'), '-C', root, '.']);
      await run(['sh', '-c', `gzip -6 -c '${join(tmp, 'rootfs.tar')}' > '${join(tmp, 'rootfs.tar.gz')}'`]);
      rmSync(root, { recursive: true });
    },
  );
  return { tar: join(made, 'rootfs.tar'), gz: join(made, 'rootfs.tar.gz') };
}

// ---------------------------------------------------------------- contexts

/** A small app: a script, a config, 20 pages. */
export async function appContext(dir, log) {
  return cached(join(dir, 'app'), '1', log, 'the small app context', async (tmp) => {
    const files = new TextFiles(1);
    mkdirSync(join(tmp, 'app/static'), { recursive: true });
    writeFile(join(tmp, 'app/server.sh'), '#!/bin/sh\nexec httpd -f -p 8080 -h /app/static\n', 0o644);
    writeFile(join(tmp, 'app/config.json'), `${JSON.stringify({ port: 8080, pages: 20 }, null, 2)}\n`);
    for (let i = 0; i < 20; i++) {
      writeFile(join(tmp, `app/static/page-${i}.html`), files.body(`page-${i}`, files.size(3000)));
    }
  });
}

/**
 * A Node app before and after a dependency change (npm-v1: express,
 * typescript, webpack, eslint, jest; npm-v2: the same and lodash), locked against the npm registry by the
 * host's npm once; each context also holds the CA bundle this machine
 * trusts (host-ca.crt: an HTTPS proxy may re-sign the registry), which the
 * Dockerfile bind-mounts for npm ci only.
 */
export async function npmContexts(dir, log) {
  const ca =
    process.env.NODE_EXTRA_CA_CERTS ?? process.env.SSL_CERT_FILE ?? '/etc/ssl/certs/ca-certificates.crt';
  const make = (name, deps) =>
    cached(
      join(dir, name),
      JSON.stringify(deps),
      log,
      `the ${name} context (npm install --package-lock-only)`,
      async (tmp) => {
        const pkg = { name: 'bench-app', version: '1.0.0', private: true, dependencies: deps };
        writeFile(join(tmp, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
        writeFile(
          join(tmp, 'server.js'),
          "require('express')().get('/', (_q, r) => r.send('ok')).listen(8080);\n",
        );
        await run(['npm', 'install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: tmp });
      },
    );
  // A typical service's dependencies (~700 packages); the change adds one.
  const deps = {
    express: '4.21.2',
    typescript: '5.6.3',
    webpack: '5.97.1',
    eslint: '8.57.1',
    jest: '29.7.0',
  };
  const v1 = await make('npm-v1', deps);
  const v2 = await make('npm-v2', { ...deps, lodash: '4.17.21' });
  for (const d of [v1, v2]) copyFileSync(ca, join(d, 'host-ca.crt'));
  return { v1, v2 };
}

/** 30,000 files shaped like node_modules (packages with lib/, dist/, types, docs, nested deps). */
export async function nodeModulesContext(dir, log) {
  const total = 30_000;
  return cached(
    join(dir, 'node-modules'),
    `${total}`,
    log,
    `a ${total}-file node_modules tree`,
    async (tmp) => {
      const files = new TextFiles(42);
      const rand = files.rand;
      const nm = join(tmp, 'node_modules');
      let n = 0;
      const put = (rel, size) => {
        const p = join(nm, rel);
        mkdirSync(dirname(p), { recursive: true });
        writeFile(p, files.body(rel, size));
        n++;
      };
      for (let pkg = 0; n < total; pkg++) {
        const scoped = rand() < 0.15;
        const name = scoped ? `@scope-${pkg % 40}/pkg-${pkg}` : `pkg-${pkg}`;
        const base = rand() < 0.1 ? `pkg-${Math.max(0, pkg - 7)}/node_modules/${name}` : name;
        put(`${base}/package.json`, 400 + Math.floor(rand() * 1500));
        if (n < total) put(`${base}/README.md`, files.size(3000));
        if (n < total) put(`${base}/LICENSE`, 1070);
        if (n < total) put(`${base}/index.js`, files.size(800));
        const libs = 1 + Math.floor(rand() * rand() * 60);
        for (let i = 0; i < libs && n < total; i++) {
          const sub = rand() < 0.3 ? `lib/internal/${i % 5}` : 'lib';
          put(`${base}/${sub}/mod-${i}.js`, files.size(3000));
          if (rand() < 0.4 && n < total) put(`${base}/${sub}/mod-${i}.d.ts`, files.size(900));
        }
        if (rand() < 0.3 && n < total) put(`${base}/dist/index.min.js`, files.size(20000));
      }
      writeFile(join(tmp, 'package.json'), '{\n  "name": "bench-app",\n  "version": "1.0.0"\n}\n');
    },
  );
}

/**
 * The edit-rebuild and second-image context: jq and its libraries as .deb
 * files (apt-get download on this Debian host, from its mirror: the RUN that
 * installs them needs no network) and a small app whose one file the
 * edit-rebuild case changes between builds.
 */
export async function debAppContext(dir, log) {
  return cached(join(dir, 'deb-app'), 'jq', log, 'the jq .debs and app context', async (tmp) => {
    mkdirSync(join(tmp, 'debs'), { recursive: true });
    await run(['apt-get', 'download', 'jq', 'libjq1', 'libonig5'], {
      cwd: join(tmp, 'debs'),
      timeoutMs: 5 * 60_000,
    });
    mkdirSync(join(tmp, 'app'), { recursive: true });
    writeFile(join(tmp, 'app/main.sh'), '#!/bin/sh\necho edit 0\n', 0o755);
    writeFile(join(tmp, 'app/config.json'), '{ "name": "edit-rebuild" }\n');
  });
}

/** A 2,000-file source tree for the multi-stage case. */
export async function sourceContext(dir, log) {
  return cached(join(dir, 'src-tree'), '2000', log, 'the multi-stage source tree', async (tmp) => {
    const files = new TextFiles(99);
    for (let i = 0; i < 2000; i++) {
      const d = join(tmp, 'src', `module-${i % 50}`);
      mkdirSync(d, { recursive: true });
      writeFile(join(d, `unit-${i}.c`), files.body(`unit-${i}`, files.size(2500)));
    }
  });
}

/**
 * One 1 GiB file: the Debian rootfs tar repeated (binaries and text,
 * compressible like real payloads: gzip -6 leaves about 45%).
 */
export async function bigFileContext(dir, debian, log) {
  const size = 1024 * MiB;
  return cached(join(dir, 'big-file'), `${size}`, log, 'a 1 GiB file', async (tmp) => {
    mkdirSync(tmp, { recursive: true });
    const out = join(tmp, 'big.bin');
    const copies = Math.ceil(size / statSync(debian).size);
    await run([
      'sh',
      '-c',
      `for i in $(seq ${copies}); do cat "$1"; done | head -c ${size} > "$2"`,
      'sh',
      debian,
      out,
    ]);
    if (statSync(out).size !== size) throw new Error(`could not make ${out}`);
    utimesSync(out, EPOCH, EPOCH);
  });
}
