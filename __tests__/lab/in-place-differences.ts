/**
 * THE list of intended differences between Kiln's in-place isolation (in an
 * unprivileged container) and its chroot isolation, each with what differs
 * and why; the cases of the in-place suite that exercise the in-place mode
 * beyond the shared differential cases; and the comparison: the same digest
 * under --reproducible, or the same tree and config once the case's
 * declared differences are applied to the chroot build.
 */
import { createHash } from 'node:crypto';
import { compareConfigs } from './config-compare.js';
import {
  type BuiltImage,
  type DiffCase,
  imageFromLayout,
  nowSeconds,
  type PreparedCase,
} from './differential.js';
import type { LayoutBuild } from './in-place-lab.js';
import { compareTrees, type TreeEntry } from './tree-compare.js';

export type InPlaceDifferenceId =
  | 'container-root-entries'
  | 'container-hostname'
  | 'network-none-refused'
  | 'kept-paths-not-captured'
  | 'kept-image-content-hidden'
  | 'hardlink-names-re-added'
  | 'read-only-mounts-writable'
  | 'tmpfs-mount-is-a-directory';

export interface InPlaceDifference {
  id: InPlaceDifferenceId;
  what: string;
  reason: string;
}

export const IN_PLACE_DIFFERENCES: readonly InPlaceDifference[] = [
  {
    id: 'container-root-entries',
    what: "A RUN sees the container's own entries beside the image's: Kiln's /kiln, kaniko's /kaniko (and /busybox in the debug image), /.dockerenv, the context volume, every mount point. A RUN that lists or archives / records them.",
    reason:
      'Without a mount namespace nothing can be hidden from the RUN; Kiln keeps them out of every layer (kept paths), as kaniko does with its ignore list.',
  },
  {
    id: 'container-hostname',
    what: "The RUN's hostname, /etc/hosts and /etc/resolv.conf are the container's; chroot isolation gives `buildkitsandbox` (as BuildKit).",
    reason: 'sethostname and bind mounts need CAP_SYS_ADMIN, which a default container lacks.',
  },
  {
    id: 'network-none-refused',
    what: '`RUN --network=none` fails with an error instead of running without network.',
    reason:
      'A network namespace needs CAP_SYS_ADMIN; running with the network would silently break the promise.',
  },
  {
    id: 'kept-paths-not-captured',
    what: 'What a RUN writes into a kept path (a volume, a secret, /etc/hosts, /kiln) is not in its layer; COPY or WORKDIR into one is refused with an error.',
    reason:
      "They are the container's, not the image's (kaniko ignores them the same way); COPY would overwrite the user's files.",
  },
  {
    id: 'kept-image-content-hidden',
    what: "The base image's own files at kept paths (its /etc/hosts, or anything where the container has a mount) are not extracted: RUN steps see the container's instead. They stay in the image (its layers are kept as pulled), and `COPY --from` a stage reads them only when the stage is extracted again.",
    reason: 'The mount points cannot be replaced without CAP_SYS_ADMIN.',
  },
  {
    id: 'hardlink-names-re-added',
    what: "A RUN that removes one name of a hardlinked base file also puts the file's other names in its layer (under --reproducible with their mtime clamped); chroot isolation's overlay snapshot leaves them out.",
    reason:
      "The walk sees their link count and ctime change and cannot tell that from an xattr change (setcap), which shows in nothing else: reporting the file is the safe side. It is the walk snapshot's documented behaviour (snapshot/snapshot.ts); the image's files are the same.",
  },
  {
    id: 'read-only-mounts-writable',
    what: 'A RUN can write into a read-only RUN --mount (a bind, which is the default, or a cache or tmpfs with `ro`): what it writes goes to a copy and is discarded, where chroot isolation refuses the write (EROFS).',
    reason:
      'Read-only needs a mount; without CAP_SYS_ADMIN the mount is a copy of its content, and the RUN runs as root (DAC_OVERRIDE), so no file mode stops it. Nothing written reaches a layer or the source.',
  },
  {
    id: 'tmpfs-mount-is-a-directory',
    what: "`RUN --mount=type=tmpfs` is an empty directory (mode 1777) on the container's own filesystem, not a tmpfs: `df` names the container's filesystem, and `size=` is not enforced.",
    reason:
      'Mounting a tmpfs needs CAP_SYS_ADMIN; the directory is removed after the RUN, as the tmpfs would be.',
  },
];

/** Intended differences of the shared differential cases (../differential/cases), by case name. */
export const SHARED_CASE_DIFFERENCES: Record<string, InPlaceUse[]> = {
  'run-whiteouts': [{ id: 'hardlink-names-re-added', entries: { '/usr/local/bin/suid': { mtime: 0 } } }],
  // `touch` in the read-only cache mount succeeds, so the RUN writes no /ro-result.
  'mount-cache': [{ id: 'read-only-mounts-writable', entries: { '/ro-result': null } }],
  'mount-tmpfs': [{ id: 'tmpfs-mount-is-a-directory', entries: { '/tmpfs-fs': { content: 'overlay\n' } } }],
};

export interface InPlaceUse {
  id: InPlaceDifferenceId;
  /** Paths of the chroot build patched to what the in-place build makes (null: absent in place). */
  entries?: Record<string, (Partial<TreeEntry> & { content?: string }) | null>;
}

export interface InPlaceCase extends DiffCase {
  inPlace?: InPlaceUse[];
  /** Paths left out of the comparison, with why (content made from the time or the network). */
  ignore?: { paths: string[]; why: string };
}

/** In-place mechanics the shared differential cases do not reach. */
export const IN_PLACE_CASES: InPlaceCase[] = [
  {
    name: 'in-place-apt-get',
    covers: 'apt-get install in a Debian base (dpkg, users, ldconfig, the package scripts) in place',
    dockerfile: `FROM {{debian}}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hello adduser \\
 && adduser --system --group --no-create-home svc \\
 && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log /var/log/alternatives.log /var/cache/ldconfig/aux-cache
RUN hello > /greeting && id svc > /svc-id
`,
    expect: { '/greeting': { content: 'Hello, world!\n' }, '/usr/bin/hello': { type: 'file' } },
    ignore: {
      paths: ['/var/cache/debconf/templates.dat', '/var/cache/debconf/templates.dat-old', '/var/cache/apt/'],
      why: "debconf's and apt's caches hold what the mirror served at the time (two builds minutes apart may differ)",
    },
  },
  {
    name: 'in-place-stages',
    covers:
      'multi-stage in place: a stage built FROM the one before takes its files over; a later COPY --from reads a stage moved aside and one extracted again',
    dockerfile: `FROM {{debian}} AS build
RUN mkdir -p /out && cp /bin/bash /out/ && echo built > /out/marker && rm -rf /usr/share/doc
FROM build AS tool
RUN echo tool > /out/tool && ls /out > /out/list
FROM {{busybox}}
COPY --from=build /out/ /app/
COPY --from=tool /out/tool /out/list /app/
RUN ls /app > /app.list
`,
    expect: {
      '/app/bash': { type: 'file' },
      '/app/marker': { content: 'built\n' },
      '/app/tool': { content: 'tool\n' },
      '/app/list': { content: 'bash\nlist\nmarker\ntool\n' },
    },
  },
  {
    name: 'in-place-user-groups',
    covers: 'RUN as a user with supplementary groups, files it makes, its HOME; as root again',
    dockerfile: `FROM {{busybox}}
RUN echo 'dev:x:2000:2000::/home/dev:/bin/sh' >> /etc/passwd && printf 'dev:x:2000:\\nextra:x:2100:dev\\nmore:x:2200:kiln,dev\\n' >> /etc/group \\
 && mkdir -p /home/dev && chown 2000:2000 /home/dev
USER dev
RUN id > /tmp/id && echo "$HOME" > /tmp/home && touch /tmp/owned && mkdir -p /home/dev/work
USER 0:0
RUN id > /root-id
`,
    expect: { '/tmp/owned': { uid: 2000 } },
  },
  {
    name: 'in-place-background',
    covers: 'what a RUN leaves running is ended with it: nothing it would write later lands in a later layer',
    dockerfile: `FROM {{busybox}}
RUN (sleep 2; echo late > /late) > /dev/null 2>&1 & echo now > /now
RUN sleep 3; if [ -e /late ]; then echo leaked > /check; else echo ended > /check; fi
`,
    expect: { '/late': null, '/check': { content: 'ended\n' }, '/now': { content: 'now\n' } },
  },
  {
    name: 'in-place-env',
    covers: "the RUN's environment is the image's (plus HOME), nothing of the container's or Kiln's",
    dockerfile: `FROM {{busybox}}
ENV FROM_IMAGE=yes
ARG BUILD_ARG=default
RUN env | sort > /env && pwd > /pwd && umask > /umask
`,
    buildArgs: { BUILD_ARG: 'given' },
  },
  {
    name: 'in-place-root-listing',
    covers: "a RUN listing / sees the container's entries too (an intended difference)",
    dockerfile: `FROM {{busybox}}
RUN ls -a / > /rootlist
`,
    inPlace: [
      {
        id: 'container-root-entries',
        entries: {
          '/rootlist': {
            content: `${['.', '..', '.dockerenv', 'bin', 'dev', 'etc', 'home', 'kaniko', 'kiln', 'linuxrc', 'proc', 'root', 'rootlist', 'sbin', 'sys', 'tmp', 'usr', 'workspace'].join('\n')}\n`,
          },
        },
      },
    ],
  },
];

function patched(ref: BuiltImage, uses: InPlaceUse[]): BuiltImage {
  const tree = new Map([...ref.tree].map(([k, v]) => [k, structuredClone(v)]));
  for (const use of uses) {
    if (!IN_PLACE_DIFFERENCES.some((d) => d.id === use.id))
      throw new Error(`unknown in-place difference ${use.id}`);
    for (const [p, patch] of Object.entries(use.entries ?? {})) {
      if (patch === null) {
        tree.delete(p);
        continue;
      }
      const e = tree.get(p);
      if (!e) throw new Error(`${use.id}: the chroot build has no ${p} to patch`);
      const { content, ...fields } = patch;
      Object.assign(e, fields);
      if (content !== undefined) {
        e.size = Buffer.byteLength(content);
        e.sha256 = createHash('sha256').update(content).digest('hex');
      }
    }
  }
  return { ...ref, tree };
}

/** Problems found comparing the in-place build with the chroot build of the same case; empty when none. */
export async function compareInPlace(
  p: PreparedCase,
  chroot: LayoutBuild,
  inPlace: LayoutBuild,
): Promise<string[]> {
  const c = p.case as InPlaceCase;
  const now = nowSeconds();
  const ref = await imageFromLayout(chroot.layout, p, 'kiln', now);
  const act = await imageFromLayout(inPlace.layout, p, 'kiln-in-place', now);
  const problems: string[] = [];
  const uses = c.inPlace ?? SHARED_CASE_DIFFERENCES[c.name] ?? [];
  // A case's expectation on a path an intended difference patches does not hold in place.
  const patchedPaths = new Set(uses.flatMap((u) => Object.keys(u.entries ?? {})));
  for (const [path, want] of Object.entries(c.expect ?? {})) {
    if (patchedPaths.has(path)) continue;
    const got = act.tree.get(path);
    if (want === null ? got !== undefined : got === undefined)
      problems.push(`in place: ${path} ${want === null ? 'should be absent' : 'is missing'}`);
    if (
      want?.content !== undefined &&
      got &&
      got.sha256 !== createHash('sha256').update(want.content).digest('hex')
    ) {
      problems.push(`in place: ${path} should hold ${JSON.stringify(want.content)}`);
    }
  }
  if (chroot.digest === inPlace.digest) return problems;
  const expected = patched(ref, uses);
  const names = { expected: 'chroot', actual: 'in-place' };
  const lines = [
    ...compareConfigs(expected.config, act.config, names),
    ...compareTrees(
      expected.tree,
      act.tree,
      { preservedBefore: now, ...(c.ignore ? { ignore: c.ignore.paths } : {}) },
      names,
    ),
  ];
  if (lines.length) {
    problems.push(
      `the in-place image differs from chroot isolation's (${c.name}):`,
      ...lines.slice(0, 80).map((l) => `  ${l}`),
    );
  } else if (!uses.length && !c.ignore) {
    problems.push(
      `digests differ (chroot ${chroot.digest}, in place ${inPlace.digest}) though the trees and configs match: the layers are encoded differently`,
    );
  }
  return problems;
}
