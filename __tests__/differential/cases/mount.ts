/**
 * RUN --mount: bind (the context, a stage, an image; targets that exist in
 * the base and that do not; a file; rw), cache (shared between steps,
 * sharing modes, owner and mode of a new cache, read-only), tmpfs, secrets
 * (default and custom targets, mode and owner, a missing optional one, as an
 * environment variable). Every RUN also writes a file of the image, so each
 * has a layer with every builder; what a mount showed is recorded in files.
 */
import type { DiffCase } from '../../lab/differential.js';

const NPMRC =
  'registry=https://registry.example.test/\n//registry.example.test/:_authToken=npm_0123456789abcdef\n';

export const mountCases: DiffCase[] = [
  {
    name: 'mount-bind-context',
    layers: 4,
    covers:
      'bind mounts of the context (whole, a directory over a base directory, one file at a new path): .dockerignore applies, owners are 0:0, no mount point is left, the base directory stays',
    // No rw mount of the context here: buildah 1.28 writes it through to the context directory (which the
    // Kiln build of the case then reads); the e2e suite checks that Kiln discards such writes.
    dockerfile: `FROM {{busybox}}
RUN --mount=type=bind,target=/src find /src | sort > /listing && stat -c '%n %u:%g %a' /src/conf/app.conf /src/conf/owned > /owners
RUN --mount=type=bind,source=conf,target=/home/kiln ls /home/kiln > /home-listing && cat /home/kiln/app.conf > /home-copy.conf
RUN --mount=type=bind,source=conf/app.conf,target=/usr/local/etc/app.conf cat /usr/local/etc/app.conf > /single.conf
`,
    context: {
      '.dockerignore': 'secret.env\n',
      'secret.env': 'SHOULD_NOT_BE_SEEN=1\n',
      'conf/app.conf': 'port=8080\n',
      'conf/owned': { content: 'owned by 1000\n', uid: 1000, gid: 1000, mode: 0o640 },
    },
    differences: [
      {
        id: 'buildah-bind-mount-context',
        entries: {
          '/listing': {
            content:
              '/src\n/src/.dockerignore\n/src/Dockerfile\n/src/conf\n/src/conf/app.conf\n/src/conf/owned\n',
          },
          '/owners': { content: '/src/conf/app.conf 0:0 644\n/src/conf/owned 0:0 640\n' },
        },
      },
      {
        id: 'buildah-run-mount-targets',
        entries: {
          '/usr/local': null,
          '/usr/local/etc': null,
          '/home/kiln': { type: 'dir', mode: 0o755, uid: 1000, gid: 1000 },
        },
      },
    ],
    expect: {
      '/home-listing': { content: 'app.conf\nowned\n' },
      '/home-copy.conf': { content: 'port=8080\n' },
      '/single.conf': { content: 'port=8080\n' },
      '/home/kiln': { type: 'dir', uid: 1000 },
      '/src': null,
      '/usr/local': null,
    },
  },
  {
    name: 'mount-bind-from',
    layers: 6,
    covers:
      'bind mounts from a stage (a directory, one file over a new name in /bin, rw) and from an image: run from the mount, owners kept, writes discarded',
    dockerfile: `FROM {{busybox}} AS build
RUN mkdir -p /out/bin && printf '#!/bin/sh\\necho tool ran\\n' > /out/bin/tool && chmod 755 /out/bin/tool && echo data > /out/data && chown 1000:1000 /out/data
FROM {{busybox}}
RUN --mount=type=bind,from=build,source=/out,target=/in /in/bin/tool > /tool-output && stat -c '%u:%g %a' /in/data > /in-owner && cp -a /in/data /copied
RUN --mount=type=bind,from=build,source=/out/bin/tool,target=/bin/tool-mounted /bin/tool-mounted > /tool-file-output
RUN --mount=type=bind,from=build,source=/out,target=/w,rw echo new > /w/data && cat /w/data > /rw-data
COPY --from=build /out/data /original-data
RUN --mount=type=bind,from={{layered}},source=/opt/app,target=/layered cat /layered/keep.txt > /from-image
`,
    differences: [
      // buildah writes the rw mount through to the build stage: the COPY --from after it sees "new".
      { id: 'buildah-rw-bind-writes-through', entries: { '/original-data': { content: 'data\n' } } },
    ],
    expect: {
      '/tool-output': { content: 'tool ran\n' },
      '/in-owner': { content: '1000:1000 644\n' },
      '/copied': { uid: 1000, gid: 1000 },
      '/tool-file-output': { content: 'tool ran\n' },
      '/bin/tool-mounted': null,
      '/rw-data': { content: 'new\n' },
      '/original-data': { content: 'data\n' },
      '/from-image': { content: 'keep v2\n' },
      '/in': null,
      '/w': null,
    },
  },
  {
    name: 'mount-cache',
    layers: 6,
    covers:
      'cache mounts: what one RUN leaves the next sees (shared, then locked), another locked one, a new cache with uid/gid/mode, a read-only one; nothing of them in the image (buildah 1.28 lacks sharing=private)',
    dockerfile: `FROM {{busybox}}
RUN --mount=type=cache,target=/var/cache/pkg,id=kiln-diff-pkg rm -rf /var/cache/pkg/* && echo downloaded > /var/cache/pkg/pkg.deb && echo installed > /installed
RUN --mount=type=cache,target=/var/cache/pkg,id=kiln-diff-pkg,sharing=locked cat /var/cache/pkg/pkg.deb > /from-cache
RUN --mount=type=cache,target=/var/lib/state,id=kiln-diff-state,sharing=locked rm -rf /var/lib/state/* && echo s > /var/lib/state/s && echo private > /private-done
RUN --mount=type=cache,target=/cache/owned,id=kiln-diff-owned,uid=1000,gid=1000,mode=0750 stat -c '%u:%g %a' /cache/owned > /owned-stat
RUN --mount=type=cache,target=/root/.kiln-diff-ro,ro { touch /root/.kiln-diff-ro/x; } 2>/dev/null || echo ro > /ro-result
`,
    differences: [
      {
        id: 'buildah-run-mount-targets',
        entries: { '/var': null, '/var/cache': null, '/var/lib': null, '/cache': null },
      },
    ],
    expect: {
      '/installed': { content: 'installed\n' },
      '/from-cache': { content: 'downloaded\n' },
      '/private-done': { content: 'private\n' },
      '/owned-stat': { content: '1000:1000 750\n' },
      '/ro-result': { content: 'ro\n' },
      '/var': null,
      '/cache': null,
      '/root': { type: 'dir', mode: 0o700 },
    },
  },
  {
    name: 'mount-tmpfs',
    layers: 3,
    covers:
      'tmpfs mounts under an existing directory and at a new path: a fresh tmpfs, nothing of it in the image',
    dockerfile: `FROM {{busybox}}
RUN --mount=type=tmpfs,target=/tmp/scratch echo x > /tmp/scratch/f && ls /tmp/scratch > /tmpfs-listing && stat -c %a /tmp/scratch > /tmpfs-mode
RUN --mount=type=tmpfs,target=/new/dir/t df /new/dir/t | tail -1 | cut -d' ' -f1 > /tmpfs-fs
`,
    differences: [
      { id: 'buildah-run-mount-targets', entries: { '/tmp/scratch': null, '/new': null, '/new/dir': null } },
    ],
    expect: {
      '/tmpfs-listing': { content: 'f\n' },
      '/tmpfs-mode': { content: '1777\n' },
      '/tmpfs-fs': { content: 'tmpfs\n' },
      '/tmp/scratch': null,
      '/new': null,
    },
  },
  {
    name: 'mount-secret',
    layers: 5,
    covers:
      'secrets as files: the default /run/secrets/<id>, ~/.npmrc in an existing directory, a new path with mode/uid/gid; a missing optional one is skipped; no value or mount point in the image',
    dockerfile: `FROM {{busybox}}
RUN --mount=type=secret,id=token wc -c < /run/secrets/token > /token-len && stat -c '%a %u:%g' /run/secrets/token > /token-stat
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc grep -c registry /root/.npmrc > /npmrc-lines && stat -c '%a' /root/.npmrc > /npmrc-mode
RUN --mount=type=secret,id=token,target=/etc/app/token,mode=0440,uid=1000,gid=1000 stat -c '%a %u:%g' /etc/app/token > /custom-stat
RUN --mount=type=secret,id=not-given test -e /run/secrets/not-given && echo present > /missing || echo none > /missing
`,
    secrets: { token: 'tok-0123456789', npmrc: NPMRC },
    differences: [
      {
        id: 'buildah-run-mount-targets',
        entries: { '/etc/app': null, '/run/secrets': null, '/run': null },
      },
    ],
    expect: {
      '/token-len': { content: '14\n' },
      '/token-stat': { content: '400 0:0\n' },
      '/npmrc-lines': { content: '2\n' },
      '/npmrc-mode': { content: '400\n' },
      '/custom-stat': { content: '440 1000:1000\n' },
      '/missing': { content: 'none\n' },
      '/root/.npmrc': null,
      '/etc/app': null,
      '/run': null,
    },
  },
  {
    name: 'mount-secret-env',
    layers: 3,
    covers: 'a secret as an environment variable (env=), alone and with a file target',
    dockerfile: `FROM {{busybox}}
RUN --mount=type=secret,id=token,env=TOKEN echo "\${#TOKEN}" > /env-len && ls /run/secrets > /files 2>/dev/null || echo none > /files
RUN --mount=type=secret,id=token,env=TOKEN,target=/t echo "\${#TOKEN} $(wc -c < /t)" > /both
`,
    referenceDockerfile: `FROM {{busybox}}
RUN --mount=type=secret,id=token,target=/kiln-ref-token TOKEN=$(cat /kiln-ref-token); echo "\${#TOKEN}" > /env-len && echo none > /files
RUN --mount=type=secret,id=token,target=/t TOKEN=$(cat /t); echo "\${#TOKEN} $(wc -c < /t)" > /both
`,
    secrets: { token: 'tok-0123456789' },
    differences: [{ id: 'peers-lack-secret-env' }],
    expect: {
      '/env-len': { content: '14\n' },
      '/files': { content: 'none\n' },
      '/both': { content: '14 14\n' },
      '/t': null,
      '/run': null,
    },
  },
];
