/** Multi-stage builds: COPY --from, unused stages, --target, build args in FROM, FROM scratch, layered bases. */
import type { DiffCase } from '../../lab/differential.js';
import { CAP_NET_RAW } from '../../lab/differential-lab.js';

export const multistageCases: DiffCase[] = [
  {
    name: 'copy-from-stages',
    layers: 6,
    covers:
      'COPY --from a stage by name and by index, and from an image; owners, links and hardlinks kept; --chown',
    dockerfile: `FROM {{busybox}} AS builder
RUN mkdir -p /out/bin && echo built > /out/bin/app && chmod 755 /out/bin/app && ln -s app /out/bin/app-link \\
 && echo h > /out/h1 && ln /out/h1 /out/h2 && chown 1000:1000 /out/h1 && chmod 4750 /out/bin/app
FROM {{busybox}}
COPY --from=builder /out/ /app/
COPY --from=0 /out/bin/app /single-app
COPY --from=builder /out/bin/app-link /followed
COPY --from={{busybox}} /etc/passwd /passwd-from-image
COPY --from=builder --chown=kiln:kiln /out/h1 /chowned-h1
`,
    expect: {
      '/app/bin/app': { mode: 0o4750, content: 'built\n' },
      '/app/bin/app-link': { type: 'symlink', target: 'app' },
      '/app/h1': { uid: 1000, gid: 1000, links: ['/app/h2'] },
      '/followed': { type: 'file', mode: 0o4750 },
      '/single-app': { mode: 0o4750 },
      '/passwd-from-image': { type: 'file' },
      '/chowned-h1': { uid: 1000, gid: 1000 },
    },
  },
  {
    name: 'multistage-unused-stage',
    layers: 2,
    covers: 'a stage nobody needs is not built (it would fail); the final stage copies from stage 0 by index',
    dockerfile: `FROM {{busybox}}
RUN echo zero > /zero.txt
FROM {{busybox}} AS broken
RUN echo 'this stage must not run' && exit 1
FROM {{busybox}}
COPY --from=0 /zero.txt /from-zero.txt
`,
    expect: { '/from-zero.txt': { content: 'zero\n' } },
  },
  {
    name: 'target-middle-stage',
    layers: 3,
    covers:
      '--target of a middle stage: later stages (one failing) are not built; the target inherits its base stage',
    dockerfile: `FROM {{busybox}} AS base
ENV STAGE=base
RUN echo base > /base.txt
FROM base AS mid
LABEL stage=mid
RUN echo "mid after $STAGE" > /mid.txt
FROM mid AS final
RUN exit 1
`,
    target: 'mid',
    expect: { '/mid.txt': { content: 'mid after base\n' }, '/base.txt': { type: 'file' } },
    expectConfig: { Labels: { stage: 'mid' } },
  },
  {
    name: 'from-build-arg',
    layers: 3,
    covers:
      'a build arg (global ARG) in FROM, ARG re-declared in a stage to use its value, ENV extending PATH',
    dockerfile: `ARG BASE
ARG GREETING=hello
ARG UNUSED_GLOBAL=global
FROM \${BASE} AS first
ARG GREETING
RUN echo "$GREETING|$UNUSED_GLOBAL" > /greeting.txt
FROM first
ENV FROM_FIRST=1 PATH=/opt/tools:$PATH
RUN echo "$PATH" > /path.txt
`,
    buildArgs: { BASE: '{{busybox}}' },
    differences: [
      {
        id: 'buildah-env-redefined-order',
        config: {
          Env: [
            'PATH=/opt/tools:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
            'FROM_FIRST=1',
          ],
        },
      },
    ],
    expect: {
      '/greeting.txt': { content: 'hello|\n' },
      '/path.txt': { content: '/opt/tools:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' },
    },
  },
  {
    name: 'from-scratch',
    layers: 3,
    covers: 'FROM scratch with COPY only, and COPY --from a busybox stage into scratch; config from nothing',
    dockerfile: `FROM {{busybox}} AS tools
RUN mkdir -p /out && echo tool > /out/tool
FROM scratch
COPY hello.txt /
COPY tree /tree
COPY --from=tools /bin/busybox /out/tool /bin/
ENV A=1
CMD ["/bin/busybox", "sh"]
`,
    context: { 'hello.txt': 'hello\n', 'tree/a': 'a\n', 'tree/sub/b': 'b\n' },
    expect: { '/hello.txt': { type: 'file' }, '/bin/tool': { type: 'file' }, '/etc': null },
    differences: [{ id: 'scratch-workdir', config: { WorkingDir: '/' } }],
    expectConfig: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1'],
      Cmd: ['/bin/busybox', 'sh'],
      WorkingDir: '/',
    },
  },
  {
    name: 'layered-base',
    layers: 6,
    covers:
      'a three-layer base (whiteouts, opaque dir, hardlinks, setuid, owners, symlinked dirs): extraction, COPY through its symlinks',
    dockerfile: `FROM {{layered}}
RUN echo touched >> /opt/app/keep.txt && ls /opt/tree > /tree-listing.txt
COPY f.txt /srv/abs-dir/
COPY f.txt /srv/rel-dir/g.txt
`,
    context: { 'f.txt': 'f\n' },
    expect: {
      '/opt/app/old.txt': null,
      '/opt/app/keep.txt': { content: 'keep v2\ntouched\n' },
      '/tree-listing.txt': { content: 'c\n' },
      '/usr/local/bin/suid': { mode: 0o4755, links: ['/usr/local/bin/suid-link'] },
      '/var/lib/data/owned.txt': { uid: 1000, gid: 1000, mode: 0o640 },
      '/shared': { mode: 0o1777 },
      '/opt/app/f.txt': { type: 'file' },
      '/opt/app/g.txt': { type: 'file' },
      '/srv/abs-dir': { type: 'symlink', target: '/opt/app' },
    },
  },
  {
    name: 'stage-inherits-config',
    // No layer count: BuildKit makes a layer for `RUN true` (BuildKit 0.8: just /etc, touched by its mounts) and a
    // 32-byte empty one for WORKDIR of an existing dir (docker/buildx#1910); the executor issue wants none.
    covers:
      'FROM an earlier stage inherits ENV, WORKDIR, USER, LABEL; CMD reset by ENTRYPOINT; a RUN and a WORKDIR that change nothing',
    dockerfile: `FROM {{busybox}} AS parent
ENV P=parent
WORKDIR /srv/work
USER kiln
LABEL from=parent
CMD ["parent-cmd"]
FROM parent
RUN pwd > /tmp/child-pwd.txt && echo "$P" >> /tmp/child-pwd.txt
RUN true
WORKDIR /srv/work
ENTRYPOINT ["/bin/sh", "-c"]
`,
    expect: { '/tmp/child-pwd.txt': { content: '/srv/work\nparent\n', uid: 1000 } },
    expectConfig: {
      WorkingDir: '/srv/work',
      User: 'kiln',
      Labels: { from: 'parent' },
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: undefined,
    },
  },
  {
    name: 'xattr-capability',
    layers: 4,
    covers:
      "security.capability xattrs of a base file: kept when untouched, and when a RUN changes the file's metadata",
    dockerfile: `FROM {{layered}}
RUN touch /usr/local/bin/cap-tool && chmod 750 /usr/local/bin/cap-tool
`,
    expect: {
      '/usr/local/bin/cap-tool': { mode: 0o750, xattrs: { 'security.capability': CAP_NET_RAW } },
      '/usr/local/bin/cap-untouched': { xattrs: { 'security.capability': CAP_NET_RAW } },
    },
  },
];
