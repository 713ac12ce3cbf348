/** Image config: LABEL, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ENTRYPOINT/CMD, ONBUILD, WORKDIR, escapes. */
import type { DiffCase } from '../../lab/differential.js';

export const configCases: DiffCase[] = [
  {
    name: 'config-metadata',
    layers: 3,
    buildArgs: { VERSION: '1.2.3' },
    covers:
      'LABEL (inherited, overridden, quoted, from a build arg), EXPOSE (with an ARG), VOLUME, STOPSIGNAL, HEALTHCHECK options, USER, ENTRYPOINT resetting CMD',
    dockerfile: `FROM {{layered}}
ARG VERSION=0.0.0
ARG PORT=9000
LABEL org.example.overridden=child "with space"="a b" multi=1 multi2=2 version=$VERSION
LABEL quoted="say \\"hi\\""
EXPOSE 80 53/udp 8080/tcp \${PORT}/tcp
VOLUME ["/logs", "/cache"]
VOLUME /data
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=4 CMD wget -q -O- http://localhost/ || exit 1
USER 1000:1000
ENTRYPOINT ["/bin/echo"]
`,
    expectConfig: {
      Labels: {
        'org.example.base': 'layered',
        'org.example.overridden': 'child',
        'with space': 'a b',
        multi: '1',
        multi2: '2',
        quoted: 'say "hi"',
        version: '1.2.3',
      },
      ExposedPorts: ['53/udp', '80/tcp', '8080/tcp', '9000/tcp'],
      Volumes: ['/cache', '/data', '/logs'],
      StopSignal: 'SIGQUIT',
      User: '1000:1000',
      Entrypoint: ['/bin/echo'],
      WorkingDir: '/opt/app',
    },
  },
  {
    name: 'config-shell-forms',
    layers: 2,
    covers:
      'SHELL for RUN and shell-form ENTRYPOINT/CMD, CMD after ENTRYPOINT kept, HEALTHCHECK NONE, numeric STOPSIGNAL',
    dockerfile: `FROM {{busybox}}
HEALTHCHECK CMD true
SHELL ["/bin/sh", "-ec"]
RUN echo "shell: $0 $-" > /shell.txt
ENTRYPOINT echo entry
CMD ["arg1", "arg2"]
HEALTHCHECK NONE
STOPSIGNAL 9
`,
    differences: [
      { id: 'buildah-shell-form-ignores-shell', config: { Entrypoint: ['/bin/sh', '-ec', 'echo entry'] } },
    ],
    expectConfig: {
      Shell: ['/bin/sh', '-ec'],
      Entrypoint: ['/bin/sh', '-ec', 'echo entry'],
      Cmd: ['arg1', 'arg2'],
      Healthcheck: { Test: ['NONE'] },
      StopSignal: '9',
    },
  },
  {
    name: 'workdir-user',
    layers: 9,
    covers:
      'WORKDIR absolute, relative, from ENV, created under USER (owner of created dirs), COPY/RUN relative to it',
    dockerfile: `FROM {{busybox}}
WORKDIR /abs/dir
WORKDIR rel/sub
RUN pwd > /pwd1.txt
USER kiln
WORKDIR /home/kiln/made-as-kiln
RUN pwd > /tmp/pwd2.txt
WORKDIR /made-by-workdir-as-kiln
COPY f.txt .
USER root
ENV DIRVAR=/from-env
WORKDIR $DIRVAR/x
`,
    context: { 'f.txt': 'f\n' },
    expect: {
      '/pwd1.txt': { content: '/abs/dir/rel/sub\n' },
      '/home/kiln/made-as-kiln': { type: 'dir' },
      '/made-by-workdir-as-kiln': { uid: 1000, gid: 1000 },
      '/made-by-workdir-as-kiln/f.txt': { uid: 0 },
      '/abs/dir/rel/sub': { uid: 0, mode: 0o755 },
      '/from-env/x': { type: 'dir' },
    },
    expectConfig: { WorkingDir: '/from-env/x', User: 'root' },
  },
  {
    name: 'onbuild-stored',
    layers: 2,
    covers: 'ONBUILD instructions stored (not run) in the image config',
    dockerfile: `FROM {{busybox}}
ONBUILD RUN echo triggered > /triggered
ONBUILD COPY . /app/
ONBUILD ENV X=1
RUN echo built > /built
`,
    expect: { '/triggered': null, '/built': { content: 'built\n' } },
    expectConfig: { OnBuild: ['RUN echo triggered > /triggered', 'COPY . /app/', 'ENV X=1'] },
  },
  {
    name: 'onbuild-trigger',
    layers: 4,
    covers:
      'a stage with ONBUILD used as the base of a later stage: triggers run there, OnBuild not inherited',
    dockerfile: `FROM {{busybox}} AS parent
ONBUILD RUN echo triggered > /onbuild.txt
ONBUILD ENV FROM_TRIGGER=1
RUN echo p > /parent.txt
FROM parent
RUN echo "child $FROM_TRIGGER" > /child.txt
`,
    expect: { '/onbuild.txt': { content: 'triggered\n' }, '/child.txt': { content: 'child 1\n' } },
  },
  {
    name: 'volume-then-run',
    layers: 2,
    covers: 'RUN writing under a path declared VOLUME earlier (BuildKit keeps the change)',
    dockerfile: `FROM {{busybox}}
VOLUME /vol
RUN mkdir -p /vol && echo kept > /vol/file && mkdir /vol/sub
VOLUME /declared-only
`,
    differences: [
      {
        id: 'buildah-volume-semantics',
        entries: {
          '/declared-only': null,
          '/vol/file': { type: 'file', mode: 0o644, uid: 0, gid: 0, content: 'kept\n' },
          '/vol/sub': { type: 'dir', mode: 0o755, uid: 0, gid: 0 },
        },
      },
    ],
    expect: { '/vol/file': { content: 'kept\n' }, '/vol/sub': { type: 'dir' }, '/declared-only': null },
    expectConfig: { Volumes: ['/declared-only', '/vol'] },
  },
  {
    name: 'env-escape-backtick',
    layers: 2,
    covers: 'ENV values with backslashes under # escape=`',
    dockerfile: `# escape=\`
FROM {{busybox}}
ENV WINPATH=C:\\Users\\kiln \`
    OTHER=a\\\\b
RUN echo "$WINPATH|$OTHER" > /env.txt
`,
    differences: [
      {
        id: 'buildah-env-backslash-under-backtick-escape',
        entries: { '/env.txt': { content: 'C:\\Users\\kiln|a\\\\b\n' } },
        config: {
          Env: [
            'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
            'WINPATH=C:\\Users\\kiln',
            'OTHER=a\\\\b',
          ],
        },
      },
    ],
  },
];
