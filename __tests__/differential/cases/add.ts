/** ADD: local archives (auto-extracted), non-archives, heredocs. */
import type { DiffCase } from '../../lab/differential.js';
import type { FileTree } from '../../lab/file-tree.js';

const archived: FileTree = {
  'pkg/bin/tool': {
    content: '#!/bin/sh\necho tool\n',
    mode: 0o755,
    uid: 1234,
    gid: 5678,
    mtime: 1_100_000_000,
  },
  'pkg/etc/conf': { content: 'conf\n', mode: 0o640, mtime: 1_100_000_000 },
  'pkg/etc/conf-hardlink': { hardlink: 'pkg/etc/conf' },
  'pkg/lib/link': { symlink: '../bin/tool' },
  'pkg/private': { dir: true, mode: 0o700, uid: 1000, gid: 1000 },
  'pkg/suid': { content: 'suid\n', mode: 0o4755 },
};

/** sha256 of the lab's http://…/hello.txt ("hello over http\n"), and its Last-Modified (2005-02-01). */
const HELLO_SHA256 = 'b449ed60967ed21ac73a86200e679b893f5af99f792cd45c813bd045c787ee6c';
const HTTP_MTIME = 1_107_216_000;

/** Reference stand-ins for heredoc bodies: dated in the future so their mtime is never compared (BuildKit's heredoc files get the build's time). */
const LATER = 4_000_000_000;

export const addCases: DiffCase[] = [
  {
    name: 'add-archives',
    layers: 8,
    covers:
      'ADD of local tar, tar.gz, tar.xz, tar.bz2 (extracted with owners, modes, mtimes, links), a non-archive',
    dockerfile: `FROM {{busybox}}
ADD plain.tar /
ADD gz.tar.gz /x/
ADD xz.tar.xz /y
ADD bz.tar.bz2 /z/
ADD fake.tar.gz /raw/
ADD plain.txt /plain.txt
ADD --chown=kiln:kiln gz.tar.gz /chowned/
`,
    context: {
      'plain.tar': { archive: 'tar', files: archived },
      'gz.tar.gz': { archive: 'tar.gz', files: archived },
      'xz.tar.xz': { archive: 'tar.xz', files: archived },
      'bz.tar.bz2': { archive: 'tar.bz2', files: archived },
      'fake.tar.gz': 'not really a tarball\n',
      'plain.txt': { content: 'plain\n', mode: 0o600 },
    },
    expect: {
      '/pkg/bin/tool': { uid: 1234, gid: 5678, mode: 0o755, mtime: 1_100_000_000 },
      '/x/pkg/etc/conf': { links: ['/x/pkg/etc/conf-hardlink'] },
      '/y/pkg/lib/link': { type: 'symlink', target: '../bin/tool' },
      '/z/pkg/private': { mode: 0o700, uid: 1000 },
      '/z/pkg/suid': { mode: 0o4755 },
      '/raw/fake.tar.gz': { content: 'not really a tarball\n' },
      '/plain.txt': { mode: 0o600 },
      // --chown does not apply to what ADD extracts from a local archive: the tar's owners stay.
      '/chowned/pkg/bin/tool': { uid: 1234, gid: 5678 },
      '/chowned/pkg/etc/conf': { uid: 0, gid: 0 },
    },
  },
  {
    name: 'add-copy-heredoc',
    layers: 5,
    covers:
      'COPY <<EOF and ADD <<EOF heredoc sources (expanded unless the delimiter is quoted), two in one COPY',
    dockerfile: `FROM {{busybox}}
ARG NAME=world
COPY <<EOF /copy-heredoc.txt
copied $NAME
EOF
COPY <<'EOF' /quoted.txt
kept $NAME
EOF
ADD <<EOT /add-heredoc.txt
added
EOT
COPY <<one.txt <<two.txt /pair/
first
one.txt
second
two.txt
`,
    referenceDockerfile: `FROM {{busybox}}
COPY ref/copy-heredoc.txt /copy-heredoc.txt
COPY ref/quoted.txt /quoted.txt
ADD ref/add-heredoc.txt /add-heredoc.txt
COPY ref/one.txt ref/two.txt /pair/
`,
    context: {
      'ref/copy-heredoc.txt': { content: 'copied world\n', mtime: LATER },
      'ref/quoted.txt': { content: 'kept $NAME\n', mtime: LATER },
      'ref/add-heredoc.txt': { content: 'added\n', mtime: LATER },
      'ref/one.txt': { content: 'first\n', mtime: LATER },
      'ref/two.txt': { content: 'second\n', mtime: LATER },
    },
    differences: [{ id: 'peers-lack-heredocs' }],
    expect: {
      '/copy-heredoc.txt': { content: 'copied world\n', mode: 0o644 },
      '/quoted.txt': { content: 'kept $NAME\n' },
      '/pair/two.txt': { content: 'second\n' },
    },
  },
  {
    name: 'add-url',
    layers: 6,
    covers:
      'ADD of URLs: into a dir, renamed, an archive (not extracted), --chown, --checksum; mode 0600 and Last-Modified',
    dockerfile: `FROM {{busybox}}
ADD {{http}}/hello.txt /downloaded/
ADD {{http}}/hello.txt /renamed.txt
ADD {{http}}/archive.tar.gz /not-extracted/
ADD --chown=kiln:kiln {{http}}/hello.txt /chowned.txt
ADD --checksum=sha256:${HELLO_SHA256} {{http}}/hello.txt /checked.txt
`,
    referenceDockerfile: `FROM {{busybox}}
ADD {{http}}/hello.txt /downloaded/
ADD {{http}}/hello.txt /renamed.txt
ADD {{http}}/archive.tar.gz /not-extracted/
ADD --chown=kiln:kiln {{http}}/hello.txt /chowned.txt
ADD {{http}}/hello.txt /checked.txt
`,
    differences: [{ id: 'peers-lack-add-checksum' }],
    expect: {
      '/downloaded/hello.txt': { mode: 0o600, uid: 0, mtime: HTTP_MTIME, content: 'hello over http\n' },
      '/renamed.txt': { mode: 0o600 },
      '/not-extracted/archive.tar.gz': { type: 'file', mode: 0o600 },
      '/not-extracted/inside': null,
      '/chowned.txt': { uid: 1000, gid: 1000, mode: 0o600 },
      '/checked.txt': { content: 'hello over http\n' },
    },
  },
];
