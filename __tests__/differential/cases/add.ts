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
];
