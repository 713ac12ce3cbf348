/**
 * The benchmark cases: a Dockerfile (FROM the bases in the local registry)
 * and the context it builds in. `context` names an input from inputs.mjs.
 */

/** Base images the harness pushes (by building them with Kiln). */
export const BASES = {
  busybox: 'base/busybox:1',
  debian: 'base/debian:bookworm',
  many: 'base/many:1',
  /** Debian with Node 24 and npm (the harness copies its own). */
  node: 'base/node:24',
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
];

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
