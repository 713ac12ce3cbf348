/**
 * The benchmark cases: a Dockerfile (FROM the bases in the local registry)
 * and the context it builds in. `context` names an input from inputs.mjs.
 *
 * A warm build repeats the build with each tool's cache filled (all steps
 * cached), except where a case says otherwise:
 * - `edit(contextDir)` changes a source file before each warm build (the
 *   edit-rebuild loop: early steps cached, COPY + RUN after the edit not);
 * - `buildArgs()` gives every build fresh build args: with a fresh NONCE in
 *   the first RUN no step is cached, only the base is local (a second image
 *   of one base).
 * `targets` names the issue-17 targets a case is checked against.
 */
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let nonce = 0;

/** Base images the harness pushes (by building them with Kiln). */
export const BASES = {
  busybox: 'base/busybox:1',
  debian: 'base/debian:bookworm',
  many: 'base/many:1',
  /** Debian with Node 24 and npm (the harness copies its own). */
  node: 'base/node:24',
  /** An index: Debian for linux/amd64 and linux/arm64. */
  debianMulti: 'base/debian-multi:bookworm',
};

export const CASES = [
  {
    name: 'busybox-app',
    title: 'small app on busybox (COPY + RUN)',
    context: 'app',
    dockerfile: (r) => `FROM ${r}/${BASES.busybox}
WORKDIR /app
COPY app/ /app/
RUN cat /app/static/*.html | wc -c > /app/size.txt && chmod 755 /app/server.sh
CMD ["/app/server.sh"]
`,
  },
  {
    name: 'node-modules',
    title: 'Debian + 30,000-file node_modules COPY + RUN',
    context: 'node-modules',
    dockerfile: (r) => `FROM ${r}/${BASES.debian}
WORKDIR /srv/app
COPY package.json ./
COPY node_modules/ ./node_modules/
RUN find node_modules -name package.json | wc -l > .package-count
CMD ["bash"]
`,
  },
  {
    name: 'debian-runs',
    title: 'Debian, RUNs changing a few files',
    context: 'empty',
    dockerfile: (r) => `FROM ${r}/${BASES.debian}
RUN touch /etc/touched
RUN echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1000:' >> /etc/group && mkdir -p /home/app && chown 1000:1000 /home/app
RUN sed -i 's/^#force_color_prompt=yes/force_color_prompt=yes/' /etc/skel/.bashrc && echo 'en_US.UTF-8 UTF-8' > /etc/locale.gen
ENV APP_HOME=/home/app
USER app
`,
  },
  {
    name: 'debian-rm',
    title: 'Debian, RUN deleting large directories (whiteouts)',
    context: 'empty',
    dockerfile: (r) => `FROM ${r}/${BASES.debian}
RUN rm -rf /usr/share/locale /usr/share/doc /usr/share/man /usr/share/zoneinfo /usr/share/info /usr/lib/x86_64-linux-gnu/gconv
`,
  },
  {
    name: 'multi-stage',
    title: 'multi-stage: Debian build stage, artifact into busybox',
    context: 'src-tree',
    dockerfile: (r) => `FROM ${r}/${BASES.debian} AS build
COPY src/ /src/
RUN mkdir -p /out && tar -czf /out/app.tgz -C /src . && cp /bin/bash /out/ && sha256sum /out/app.tgz > /out/SHA256SUMS

FROM ${r}/${BASES.busybox}
COPY --from=build /out/ /app/
CMD ["sh"]
`,
  },
  {
    name: 'many-files',
    title: '100,000-file rootfs, RUN touching one file',
    context: 'empty',
    dockerfile: (r) => `FROM ${r}/${BASES.many}
RUN touch /etc/touched
`,
  },
  {
    name: 'big-layer',
    title: 'one 1 GiB layer (COPY of a 1 GiB file)',
    context: 'big-file',
    dockerfile: (r) => `FROM ${r}/${BASES.busybox}
COPY big.bin /data/big.bin
`,
  },
  {
    name: 'npm-cache-mount',
    title:
      'Node app rebuilt after a dependency change, npm ci with a cache mount: cold without the persisted cache mount, warm with it (kept from the build before the change)',
    context: 'npm-v2',
    /** warm: the cache mount is filled by a build of this context first (the app before the change). */
    fillContext: 'npm-v1',
    tools: ['kiln', 'buildkit'],
    /** npm ci peaks at ~450 MiB; Kiln's process tree includes the RUN, so its peak RSS is npm's, not Kiln's. */
    rssOfRun: true,
    dockerfile: (r) => `FROM ${r}/${BASES.node}
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm --mount=type=bind,source=host-ca.crt,target=/etc/ssl/host-ca.crt \\
    NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca.crt npm ci --no-audit --no-fund --no-update-notifier
COPY server.js ./
CMD ["node", "server.js"]
`,
  },
  {
    name: 'edit-rebuild',
    title: 'Debian, jq installed (cached), one app file edited: COPY + RUN again',
    context: 'deb-app',
    dockerfile: (r) => `FROM ${r}/${BASES.debian}
COPY debs/ /tmp/debs/
RUN apt-get install -y --no-install-recommends /tmp/debs/*.deb && rm -rf /tmp/debs
COPY app/ /app/
RUN ls /app && jq --version
`,
    edit(dir) {
      const file = join(dir, 'app/main.sh');
      const n = Number(/edit (\d+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? 0) + 1;
      writeFileSync(file, `#!/bin/sh\necho edit ${n}\n`);
      const now = new Date();
      utimesSync(file, now, now);
    },
    targets: { warmVsBuildkit: 1.0 },
  },
  {
    name: 'second-image',
    title: 'a second image of one Debian base (base local, no step cached)',
    context: 'deb-app',
    dockerfile: (r) => `FROM ${r}/${BASES.debian}
ARG NONCE
RUN echo "$NONCE" > /etc/build-nonce && useradd --create-home --uid 1000 app
COPY app/ /home/app/
RUN chown -R app:app /home/app && ls -l /home/app
USER app
`,
    buildArgs: () => ({ NONCE: `${process.pid}-${++nonce}` }),
    targets: { warmVsBuildkit: 1.0 },
  },
  {
    name: 'debian-2platforms',
    title: 'Debian, RUNs, for linux/amd64 + linux/arm64 (arm64 under QEMU), pushed as an index',
    context: 'empty',
    platforms: ['linux/amd64', 'linux/arm64'],
    dockerfile: (r) => `FROM ${r}/${BASES.debianMulti}
RUN touch /etc/touched && dpkg --print-architecture > /etc/arch
RUN echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1000:' >> /etc/group && mkdir -p /home/app && chown 1000:1000 /home/app
RUN sed -i 's/^#force_color_prompt=yes/force_color_prompt=yes/' /etc/skel/.bashrc && echo 'en_US.UTF-8 UTF-8' > /etc/locale.gen
ENV APP_HOME=/home/app
USER app
`,
  },
];

/** Cases whose warm build is all-cached and small: issue 17 wants them at most buildah's warm wall. */
export const ALL_CACHED_SMALL = ['busybox-app', 'debian-runs', 'debian-rm', 'multi-stage', 'many-files'];

/** `--build-arg K=V` pairs of a case for one build (empty for most). */
export function buildArgFlags(c) {
  return Object.entries(c.buildArgs?.() ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
}

/** Cases --quick runs. */
export const QUICK = ['busybox-app', 'debian-runs', 'node-modules'];

export function selectCases(names) {
  if (!names) return CASES;
  const want = names.split(',').map((s) => s.trim());
  for (const n of want) {
    if (!CASES.some((c) => c.name === n))
      throw new Error(`unknown case ${n}: one of ${CASES.map((c) => c.name).join(', ')}`);
  }
  return CASES.filter((c) => want.includes(c.name));
}
