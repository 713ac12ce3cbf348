/** RUN: filesystem changes (new, modified, deleted, replaced), links, special bits, users, heredocs. */
import type { DiffCase } from '../../lab/differential.js';

/** `env | sort` in run-env-args as BuildKit runs it: ENV, ARGs in scope, HOME; PWD and SHLVL from the shell. */
const RUN_ENV = `ALT=set
COMBINED=default-value-and-from-cli
FALLBACK=fallback
FROM_ARG=from-cli
HOME=/root
LEGACY=legacy form value
OVERRIDDEN=from-cli
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PWD=/
SHLVL=1
WITH_DEFAULT=default-value
`;

export const runCases: DiffCase[] = [
  {
    name: 'run-files',
    layers: 3,
    covers: 'RUN creating, modifying, deleting, chmod/chown-ing and re-dating base files; a new empty dir',
    dockerfile: `FROM {{busybox}}
RUN echo new > /new.txt && echo 'extra:x:2001:2001::/:/bin/sh' >> /etc/passwd && rm /bin/vi \\
 && chmod 600 /etc/group && chown 1000:1000 /etc/group && mkdir -p /var/empty-dir && touch /tmp/file
RUN touch -d '2010-01-02 03:04:05' /etc/passwd /root
`,
    differences: [{ id: 'buildah-dir-mtime-only-change', entries: { '/root': { mtime: 1_262_401_445 } } }],
    expect: {
      '/new.txt': { content: 'new\n' },
      '/bin/vi': null,
      '/etc/group': { mode: 0o600, uid: 1000, gid: 1000 },
      '/etc/passwd': { mtime: 1_262_401_445 },
      '/root': { mtime: 1_262_401_445 },
      '/var/empty-dir': { type: 'dir' },
    },
  },
  {
    name: 'run-whiteouts',
    layers: 4,
    covers: 'RUN deleting a base directory, a base symlink and a nested base file (whiteouts)',
    dockerfile: `FROM {{layered}}
RUN rm -rf /home/kiln /opt/app/sub && rm /usr/bin/wget /usr/local/bin/suid-link
`,
    expect: {
      '/home/kiln': null,
      '/home': { type: 'dir' },
      '/opt/app/sub': null,
      '/usr/bin/wget': null,
      '/usr/local/bin/suid': { links: undefined },
    },
  },
  {
    name: 'run-opaque',
    layers: 5,
    covers:
      'RUN `rm -rf d && mkdir d` on a base directory (opaque whiteout), on busybox and on an already-opaque base dir',
    dockerfile: `FROM {{layered}}
RUN rm -rf /usr/sbin && mkdir /usr/sbin && echo only > /usr/sbin/only
RUN rm -rf /opt/tree && mkdir -p /opt/tree/sub && echo again > /opt/tree/sub/b
`,
    expect: {
      '/usr/sbin/only': { content: 'only\n' },
      '/usr/sbin/adjtimex': null,
      '/opt/tree/c': null,
      '/opt/tree/sub/b': { content: 'again\n' },
    },
  },
  {
    name: 'run-replace-types',
    layers: 4,
    covers: 'RUN replacing a file by a directory, a directory by a file, a symlink by a directory',
    dockerfile: `FROM {{layered}}
RUN rm /opt/app/keep.txt && mkdir /opt/app/keep.txt && echo in > /opt/app/keep.txt/inner \\
 && rm -rf /opt/tree && echo now-a-file > /opt/tree \\
 && rm /srv/rel-dir && mkdir /srv/rel-dir && echo y > /srv/rel-dir/y
`,
    expect: {
      '/opt/app/keep.txt': { type: 'dir' },
      '/opt/app/keep.txt/inner': { content: 'in\n' },
      '/opt/tree': { type: 'file', content: 'now-a-file\n' },
      '/srv/rel-dir': { type: 'dir' },
      '/opt/app/y': null,
    },
  },
  {
    name: 'run-links',
    layers: 2,
    covers: 'hardlinks and symlinks made by RUN, a hardlink to a base file, a dangling symlink, a fifo',
    dockerfile: `FROM {{busybox}}
RUN mkdir /links && echo data > /links/f && ln /links/f /links/hard && ln -s f /links/rel \\
 && ln -s /links/f /links/abs && ln -s /nowhere /links/dangling && ln /etc/passwd /links/passwd-hard \\
 && mkfifo /links/fifo
`,
    differences: [
      {
        id: 'buildah-hardlink-to-base-file',
        entries: {
          '/etc/passwd': { links: ['/links/passwd-hard'] },
          '/links/passwd-hard': { links: ['/etc/passwd'] },
        },
      },
    ],
    expect: {
      '/links/f': { links: ['/links/hard'] },
      '/links/rel': { type: 'symlink', target: 'f' },
      '/links/dangling': { type: 'symlink', target: '/nowhere' },
      '/links/passwd-hard': { links: ['/etc/passwd'] },
      '/links/fifo': { type: 'fifo' },
    },
  },
  {
    name: 'run-special-bits',
    layers: 3,
    covers: 'setuid, setgid, sticky directories, mode 000, a private dir; modes kept across later steps',
    dockerfile: `FROM {{busybox}}
RUN mkdir /sticky && chmod 1777 /sticky && mkdir /sgid && chmod 2775 /sgid && echo x > /suid && chmod 4755 /suid \\
 && echo y > /sgid-file && chmod 2711 /sgid-file && echo z > /nomode && chmod 000 /nomode && mkdir -m 700 /private
RUN touch /sgid/inherits
`,
    expect: {
      '/sticky': { mode: 0o1777 },
      '/sgid': { mode: 0o2775 },
      '/suid': { mode: 0o4755 },
      '/sgid-file': { mode: 0o2711 },
      '/nomode': { mode: 0 },
      '/private': { mode: 0o700 },
    },
  },
  {
    name: 'run-as-user',
    layers: 6,
    covers: 'RUN as USER name, name:group, uid:gid, uid: owners of created files, HOME, supplementary groups',
    dockerfile: `FROM {{busybox}}
RUN echo 'extra:x:2000:kiln' >> /etc/group && echo 'other:x:3000:' >> /etc/group
USER kiln:other
RUN id > /tmp/id-name-group.txt; touch /tmp/by-name-group
USER kiln
RUN id > /tmp/id-name.txt; echo "$HOME" > /tmp/home.txt; mkdir /tmp/by-name
USER 1000:1000
RUN id > /tmp/id-uid-gid.txt; touch /tmp/by-uid-gid
USER 1234
RUN id -u > /tmp/id-unknown-uid.txt; echo "$HOME" > /tmp/home-unknown.txt; touch /tmp/by-unknown
`,
    differences: [
      {
        id: 'user-supplementary-groups',
        entries: {
          '/tmp/id-name-group.txt': { content: 'uid=1000(kiln) gid=3000(other)\n' },
          '/tmp/id-name.txt': { content: 'uid=1000(kiln) gid=1000(kiln) groups=2000(extra)\n' },
          '/tmp/id-uid-gid.txt': { content: 'uid=1000(kiln) gid=1000(kiln)\n' },
        },
      },
    ],
    expect: {
      '/tmp/by-name-group': { uid: 1000, gid: 3000 },
      '/tmp/by-name': { uid: 1000, gid: 1000 },
      '/tmp/home.txt': { content: '/home/kiln\n' },
      '/tmp/by-unknown': { uid: 1234, gid: 0 },
      '/tmp/home-unknown.txt': { content: '/\n' },
    },
    expectConfig: { User: '1234' },
  },
  {
    name: 'run-env-args',
    layers: 3,
    covers:
      'ARG defaults and build args, ENV from ARG, :- and :+ expansions, legacy ENV form, what RUN sees of them',
    dockerfile: `FROM {{busybox}}
ARG WITH_DEFAULT=default-value
ARG OVERRIDDEN=default
ARG NO_VALUE
ENV FROM_ARG=\${OVERRIDDEN} \\
    COMBINED="\${WITH_DEFAULT}-and-$OVERRIDDEN" \\
    FALLBACK=\${NO_VALUE:-fallback} \\
    ALT=\${WITH_DEFAULT:+set}
ENV LEGACY legacy form value
RUN echo "$WITH_DEFAULT|$OVERRIDDEN|$NO_VALUE|$FROM_ARG|$COMBINED|$FALLBACK|$ALT|$LEGACY|$UNDECLARED" > /vars.txt
RUN env | sort > /env.txt
ARG OVERRIDDEN
ENV LATE=$OVERRIDDEN
`,
    buildArgs: { OVERRIDDEN: 'from-cli', UNDECLARED: 'never-seen' },
    differences: [{ id: 'buildah-hostname-env', entries: { '/env.txt': { content: RUN_ENV } } }],
    expect: {
      '/env.txt': { content: RUN_ENV },
      '/vars.txt': {
        content:
          'default-value|from-cli||from-cli|default-value-and-from-cli|fallback|set|legacy form value|\n',
      },
    },
  },
  {
    name: 'run-heredoc',
    layers: 3,
    covers: 'RUN <<EOF scripts (one sh -c script), and a heredoc fed to a command',
    dockerfile: `FROM {{busybox}}
ARG NAME=world
RUN <<EOF
echo "hello $NAME" > /run-heredoc.txt
id -u >> /run-heredoc.txt
EOF
RUN cat <<EOF > /shell-heredoc.txt
from the shell: $NAME
EOF
`,
    referenceDockerfile: `FROM {{busybox}}
ARG NAME=world
RUN echo "hello $NAME" > /run-heredoc.txt; id -u >> /run-heredoc.txt
RUN echo "from the shell: $NAME" > /shell-heredoc.txt
`,
    differences: [{ id: 'peers-lack-heredocs' }],
    expect: {
      '/run-heredoc.txt': { content: 'hello world\n0\n' },
      '/shell-heredoc.txt': { content: 'from the shell: world\n' },
    },
  },
];
