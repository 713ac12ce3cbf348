/** COPY from the context: file/dir semantics, destinations, wildcards, .dockerignore, --chown, --chmod. */
import type { DiffCase } from '../../lab/differential.js';

const tree = {
  'tree/a.txt': 'a\n',
  'tree/sub/b.txt': 'b\n',
  'tree/empty': { dir: true },
  'tree/link': { symlink: 'a.txt' },
} as const;

export const copyCases: DiffCase[] = [
  {
    name: 'copy-basics',
    layers: 7,
    covers:
      'COPY a file, a directory (contents), renames, new parents, modes kept, owner reset to root, mtime kept',
    dockerfile: `FROM {{busybox}}
COPY hello.txt /hello.txt
COPY hello.txt /deep/new/renamed.txt
COPY tree /copied
COPY tree/ /copied-slash/
COPY exec.sh private.key /usr/local/bin/
COPY owned.txt /owned.txt
`,
    context: {
      'hello.txt': { content: 'hello\n', mtime: 1_200_000_000 },
      ...tree,
      'exec.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      'private.key': { content: 'secret\n', mode: 0o600 },
      'owned.txt': { content: 'owned\n', mode: 0o640, uid: 1234, gid: 5678 },
    },
    expect: {
      '/hello.txt': { content: 'hello\n', mtime: 1_200_000_000 },
      '/copied/a.txt': { type: 'file' },
      '/copied/tree': null,
      '/copied/link': { type: 'symlink', target: 'a.txt' },
      '/copied/empty': { type: 'dir' },
      '/usr/local/bin/exec.sh': { mode: 0o755 },
      '/usr/local/bin/private.key': { mode: 0o600 },
      '/owned.txt': { mode: 0o640, uid: 0, gid: 0 },
    },
  },
  {
    name: 'copy-destinations',
    layers: 10,
    covers:
      'trailing-slash destinations, multiple sources, into existing dirs (owner kept), relative to WORKDIR',
    dockerfile: `FROM {{busybox}}
COPY a.txt /dest/
COPY a.txt /dest-file
COPY a.txt b.txt /multi/
COPY a.txt /home/kiln/
COPY tree /home/kiln/
COPY a.txt /tmp
WORKDIR /work
COPY a.txt rel/
COPY b.txt .
`,
    context: { 'a.txt': 'a\n', 'b.txt': 'b\n', ...tree },
    expect: {
      '/dest/a.txt': { type: 'file' },
      '/dest-file': { type: 'file', content: 'a\n' },
      '/multi/b.txt': { type: 'file' },
      '/home/kiln': { type: 'dir', uid: 1000, gid: 1000 },
      '/home/kiln/a.txt': { uid: 0 },
      '/home/kiln/sub/b.txt': { type: 'file' },
      '/tmp': { mode: 0o1777 },
      '/tmp/a.txt': { type: 'file' },
      '/work/rel/a.txt': { type: 'file' },
      '/work/b.txt': { type: 'file' },
    },
  },
  {
    name: 'copy-hardlinks-per-source',
    layers: 5,
    covers:
      'hardlinks: kept between the files of one directory source; two sources (named, or two wildcard matches) that are links of each other become two files',
    dockerfile: `FROM {{busybox}}
COPY c.txt c-hard.txt /hard/
COPY *.txt /glob/
COPY dir /dir-copy/
COPY . /all/
`,
    context: {
      'c.txt': 'c\n',
      'c-hard.txt': { hardlink: 'c.txt' },
      'dir/x': 'x\n',
      'dir/x-hard': { hardlink: 'dir/x' },
    },
    expect: {
      '/hard/c.txt': { type: 'file', links: undefined },
      '/hard/c-hard.txt': { type: 'file', links: undefined },
      '/glob/c.txt': { links: undefined },
      '/glob/c-hard.txt': { links: undefined },
      '/dir-copy/x': { links: ['/dir-copy/x-hard'] },
      '/all/c.txt': { links: ['/all/c-hard.txt'] },
      '/all/dir/x': { links: ['/all/dir/x-hard'] },
    },
  },
  {
    name: 'copy-wildcards',
    layers: 6,
    covers: 'wildcard sources: *, ?, [..], a wildcard matching directories (contents merged)',
    dockerfile: `FROM {{busybox}}
COPY *.txt /w/
COPY conf/*.conf /conf/
COPY d?r /q/
COPY [ab]*.md /md/
COPY conf/nested* /nested/
`,
    context: {
      'one.txt': '1\n',
      'two.txt': '2\n',
      'a.md': 'a\n',
      'b.md': 'b\n',
      'c.md': 'c\n',
      'conf/x.conf': 'x\n',
      'conf/y.conf': 'y\n',
      'conf/z.ini': 'z\n',
      'conf/nested-dir/inner.txt': 'inner\n',
      'dir/f1': 'f1\n',
      'dar/f2': 'f2\n',
    },
    expect: {
      '/w/one.txt': { type: 'file' },
      '/conf/z.ini': null,
      '/q/f1': { type: 'file' },
      '/q/f2': { type: 'file' },
      '/md/c.md': null,
      '/nested/inner.txt': { type: 'file' },
    },
  },
  {
    name: 'copy-symlinked-destinations',
    layers: 6,
    covers:
      'COPY into destinations whose directories are symlinks (absolute, relative), resolved inside the rootfs',
    dockerfile: `FROM {{busybox}}
RUN mkdir -p /real/sub && ln -s /real /abs-link && ln -s real /rel-link && ln -s /real/sub /abs-sub
COPY f.txt /abs-link/
COPY f.txt /rel-link/g.txt
COPY tree /abs-sub/
COPY f.txt /abs-link/new-dir/
`,
    context: { 'f.txt': 'f\n', ...tree },
    expect: {
      '/abs-link': { type: 'symlink', target: '/real' },
      '/rel-link': { type: 'symlink', target: 'real' },
      '/real/f.txt': { type: 'file' },
      '/real/g.txt': { type: 'file' },
      '/real/sub/a.txt': { type: 'file' },
      '/real/new-dir/f.txt': { type: 'file' },
    },
  },
  {
    name: 'copy-context-symlinks',
    layers: 4,
    covers: 'symlinks in the context: a symlink source is followed, symlinks inside a copied dir stay links',
    dockerfile: `FROM {{busybox}}
COPY link-to-file /as-file
COPY link-dir /from-link-dir/
COPY tree /tree/
`,
    context: {
      'real.txt': 'real\n',
      'link-to-file': { symlink: 'real.txt' },
      'realdir/x': 'x\n',
      'link-dir': { symlink: 'realdir' },
      'tree/inner-link': { symlink: '../real.txt' },
      'tree/abs-link': { symlink: '/etc/passwd' },
      'tree/file': 'file\n',
    },
    expect: {
      '/as-file': { type: 'file', content: 'real\n' },
      '/from-link-dir/x': { type: 'file' },
      '/tree/inner-link': { type: 'symlink', target: '../real.txt' },
      '/tree/abs-link': { type: 'symlink', target: '/etc/passwd' },
    },
  },
  {
    name: 'dockerignore',
    layers: 2,
    covers: '.dockerignore patterns, ** and ! exceptions, ignoring the Dockerfile itself',
    dockerfile: `FROM {{busybox}}
COPY . /ctx/
`,
    context: {
      '.dockerignore':
        '*.log\n!keep.log\nsecret/\n**/*.tmp\nDockerfile\n.dockerignore\ndocs/*.md\n!docs/README.md\n',
      'a.log': 'a\n',
      'keep.log': 'keep\n',
      'secret/key': 'key\n',
      'sub/x.tmp': 'x\n',
      'sub/deep/y.tmp': 'y\n',
      'sub/real.txt': 'real\n',
      'docs/a.md': 'a\n',
      'docs/README.md': 'readme\n',
      'src/main.c': 'int main(){}\n',
    },
    expect: {
      '/ctx/a.log': null,
      '/ctx/keep.log': { type: 'file' },
      '/ctx/secret': null,
      '/ctx/sub/x.tmp': null,
      '/ctx/sub/deep/y.tmp': null,
      '/ctx/sub/real.txt': { type: 'file' },
      '/ctx/docs/a.md': null,
      '/ctx/docs/README.md': { type: 'file' },
      '/ctx/Dockerfile': null,
      '/ctx/.dockerignore': null,
    },
  },
  {
    name: 'copy-chown',
    layers: 9,
    covers: 'COPY --chown by name, name:group, uid:gid, uid only; ownership of created parent directories',
    dockerfile: `FROM {{busybox}}
RUN echo 'odd:x:2001:3001::/:/bin/sh' >> /etc/passwd && echo 'oddgrp:x:3001:' >> /etc/group
COPY --chown=kiln:kiln a.txt /a-named.txt
COPY --chown=1234:5678 a.txt /a-numeric.txt
COPY --chown=odd a.txt /a-user-only.txt
COPY --chown=2001 a.txt /a-uid-only.txt
COPY --chown=odd:kiln a.txt /a-mixed.txt
COPY --chown=kiln:kiln tree /deep/parents/tree
COPY --chown=1234:5678 tree /chowned-dir/
`,
    context: { 'a.txt': 'a\n', ...tree },
    expect: {
      '/a-named.txt': { uid: 1000, gid: 1000 },
      '/a-numeric.txt': { uid: 1234, gid: 5678 },
      '/a-mixed.txt': { uid: 2001, gid: 1000 },
      // A name alone takes the user's primary group; a uid alone uses the uid as gid.
      '/a-user-only.txt': { uid: 2001, gid: 3001 },
      '/a-uid-only.txt': { uid: 2001, gid: 2001 },
      // Parents that COPY creates belong to the --chown owner too.
      '/deep': { uid: 1000, gid: 1000, mode: 0o755 },
      '/chowned-dir': { uid: 1234, gid: 5678 },
      '/deep/parents/tree/sub/b.txt': { uid: 1000, gid: 1000 },
    },
  },
  {
    name: 'copy-chmod',
    layers: 4,
    covers: 'COPY --chmod on files and directories (applies to dirs inside too), with --chown',
    dockerfile: `FROM {{busybox}}
COPY --chmod=0750 f /f
COPY --chmod=600 d /d
COPY --chown=1234:5678 --chmod=700 d /d3/
`,
    context: { f: 'f\n', 'd/sub/a': 'a\n', 'd/b': { content: 'b\n', mode: 0o755 } },
    expect: {
      '/f': { mode: 0o750 },
      '/d/b': { mode: 0o600 },
      '/d/sub': { type: 'dir', mode: 0o600 },
      '/d3/sub/a': { mode: 0o700, uid: 1234, gid: 5678 },
    },
  },
];
