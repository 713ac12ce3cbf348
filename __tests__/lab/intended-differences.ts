/**
 * THE list of intended differences between the reference builder (buildah
 * 1.28, `bud --isolation chroot`) and Kiln. Where buildah and BuildKit
 * disagree, BuildKit is the reference and Kiln follows it; each entry says
 * who does what, why Kiln does what it does, and what was observed here to
 * settle it (BuildKit = Docker 20.10.24's built-in BuildKit, run by hand with
 * __tests__/differential/buildkit-check.ts). Checked and NOT a difference,
 * though DESIGN.md lists it: buildah 1.28 does run the ONBUILD triggers of an
 * earlier stage used as a base (case onbuild-trigger). normalizeReference() turns
 * buildah's image into what BuildKit builds, so that Kiln is compared against
 * BuildKit's behaviour everywhere the two peers disagree.
 */

import { createHash } from 'node:crypto';
import type { ComparedConfig } from './config-compare.js';
import type { Tree, TreeEntry } from './tree-compare.js';

export type DifferenceId =
  | 'run-mount-stubs'
  | 'buildah-env-backslash-under-backtick-escape'
  | 'user-supplementary-groups'
  | 'peers-lack-heredocs'
  | 'peers-lack-add-checksum'
  | 'buildah-dir-mtime-only-change'
  | 'buildah-hardlink-to-base-file'
  | 'buildah-shell-form-ignores-shell'
  | 'buildah-hostname-env'
  | 'scratch-workdir'
  | 'buildah-volume-semantics'
  | 'buildah-env-redefined-order'
  | 'buildah-run-mount-targets'
  | 'buildah-bind-mount-context'
  | 'buildah-rw-bind-writes-through'
  | 'peers-lack-secret-env';

export interface IntendedDifference {
  id: DifferenceId;
  /** Who differs, and how. */
  what: string;
  /** What Kiln does, and why. */
  reason: string;
  /** What was observed on this machine to settle it. */
  evidence: string;
  /** Applied to every case; otherwise only where a case names it. */
  always: boolean;
}

export const INTENDED_DIFFERENCES: readonly IntendedDifference[] = [
  {
    id: 'run-mount-stubs',
    what:
      'After a RUN, buildah leaves empty /etc/hosts, /etc/hostname, /etc/resolv.conf (0 bytes, mode 0755) and empty ' +
      '/run, /dev, /proc, /sys directories in the image; BuildKit 20.10 leaves the empty /dev, /proc, /sys.',
    reason:
      'They are mount points of the RUN sandbox, not content; Kiln leaves none (DESIGN.md). BuildKit removes the stubs ' +
      'it creates for its own mounts (moby/buildkit#3307); whether current rootful BuildKit still leaves the ' +
      "runtime's /dev, /proc, /sys is unclear (moby/buildkit#7039 suggests it does). The lab's bases have none of " +
      'these paths, so an empty one in the reference is a stub; cases never create them on purpose.',
    evidence:
      'Every RUN case: buildah tree has /etc/{hosts,hostname,resolv.conf} (0755, 0B) and /run, /dev, /proc, /sys; ' +
      'BuildKit tree has /dev, /proc, /sys only.',
    always: true,
  },
  {
    id: 'buildah-env-backslash-under-backtick-escape',
    what:
      'Under `# escape=\\``, buildah still treats backslashes in ENV values as escapes: `C:\\Users\\kiln` becomes ' +
      '`C:Userskiln` and `a\\\\b` becomes `a\\b`; BuildKit keeps every backslash.',
    reason:
      'With the escape character changed, a backslash is an ordinary character (Dockerfile reference); Kiln follows BuildKit.',
    evidence:
      'Case env-escape-backtick: buildah Env WINPATH=C:Userskiln, OTHER=a\\b; BuildKit WINPATH=C:\\Users\\kiln, ' +
      'OTHER=a\\\\b; RUN output likewise.',
    always: false,
  },
  {
    id: 'user-supplementary-groups',
    what:
      'RUN as `USER name:group` or `USER uid:gid`: buildah adds the primary group to the supplementary groups ' +
      '(`id` prints groups=3000(other)); BuildKit sets none (no groups= part). As `USER name` / `USER uid`, buildah ' +
      'lists the primary group plus the /etc/group memberships, BuildKit only the memberships.',
    reason:
      'BuildKit is the reference; Kiln sets exactly the /etc/group memberships of the user as supplementary groups.',
    evidence: 'Case run-as-user: `id` output files differ only in the groups= part (see the case).',
    always: false,
  },
  {
    id: 'peers-lack-heredocs',
    what:
      'Neither buildah 1.28 nor the BuildKit of Docker 20.10 (its built-in Dockerfile frontend) parses heredocs ' +
      '(`RUN <<EOF`, `COPY <<EOF`): both fail with "Unknown instruction: ECHO".',
    reason:
      'Kiln supports heredocs as current BuildKit does. The reference is built from an equivalent Dockerfile without ' +
      'heredocs (the case gives it): `RUN <<EOF` with no command runs the body as one `sh -c` script; `COPY <<EOF ' +
      'dest` writes the body (variables expanded unless the delimiter is quoted) as a 0644 file.',
    evidence:
      'buildah: `Error: building at STEP "ECHO "`; BuildKit: `dockerfile parse error line 4: unknown instruction: ECHO`.',
    always: false,
  },
  {
    id: 'peers-lack-add-checksum',
    what: "Neither buildah 1.28 nor Docker 20.10's BuildKit knows `ADD --checksum=sha256:…` (Dockerfile 1.6).",
    reason:
      'Kiln verifies the download against the checksum, as current BuildKit does; with a matching checksum the ' +
      'result is the plain ADD, which is what the peers build (the case gives that Dockerfile).',
    evidence:
      'buildah 1.28.2: ADD --checksum is not among its ADD flags; Docker 20.10 BuildKit: unknown flag.',
    always: false,
  },
  {
    id: 'buildah-dir-mtime-only-change',
    what:
      "A RUN that only changes the mtime of a base directory (`touch -d 2010-01-02 /root`): buildah's layer keeps the " +
      "base's mtime; BuildKit's has the new one.",
    reason:
      'The change is part of the RUN; Kiln records metadata-only changes (mtime included) as BuildKit does.',
    evidence: 'Case run-files: /root mtime buildah 2000-01-01 (base), BuildKit 2010-01-02T03:04:05Z.',
    always: false,
  },
  {
    id: 'buildah-hardlink-to-base-file',
    what:
      'A RUN making a hardlink to a file of the base (`ln /etc/passwd /links/passwd-hard`): buildah stores two ' +
      'unrelated files; BuildKit keeps them one inode (both in the layer, linked).',
    reason:
      'Kiln keeps hardlinks as links, as BuildKit does (the base file is carried into the layer with its new link).',
    evidence:
      'Case run-links: buildah /etc/passwd nlink 1; BuildKit /etc/passwd and /links/passwd-hard share an inode.',
    always: false,
  },
  {
    id: 'buildah-shell-form-ignores-shell',
    what:
      'Shell-form ENTRYPOINT/CMD after `SHELL ["/bin/sh", "-ec"]`: buildah writes ["/bin/sh","-c",…]; BuildKit uses ' +
      'the SHELL: ["/bin/sh","-ec",…].',
    reason:
      'The Dockerfile reference says SHELL applies to the shell form of RUN, CMD and ENTRYPOINT; Kiln follows BuildKit.',
    evidence:
      'Case config-shell-forms: Entrypoint buildah ["/bin/sh","-c","echo entry"], BuildKit ["/bin/sh","-ec","echo entry"].',
    always: false,
  },
  {
    id: 'buildah-hostname-env',
    what:
      'RUN environment: buildah adds HOSTNAME=<random container id>; BuildKit does not. Both set HOME from the ' +
      "user's /etc/passwd entry (HOME=/root for root), and the shell adds PWD and SHLVL.",
    reason:
      'Kiln gives RUN exactly the image ENV, the ARGs in scope, PATH when unset and HOME, as BuildKit does.',
    evidence: "Case run-env-args: `env | sort` differs only by buildah's HOSTNAME= line.",
    always: false,
  },
  {
    id: 'scratch-workdir',
    what: 'FROM scratch: BuildKit sets WorkingDir "/" (and Env PATH=…, as buildah does); buildah leaves WorkingDir unset.',
    reason:
      'BuildKit starts a scratch stage from an empty image with WorkingDir "/" and the default PATH; Kiln follows it.',
    evidence: 'Case from-scratch: config WorkingDir buildah unset, BuildKit "/"; Env both ["PATH=…","A=1"].',
    always: false,
  },
  {
    id: 'buildah-volume-semantics',
    what:
      'VOLUME /v: buildah creates /v in the image and then discards what later RUNs write under /v (the classic ' +
      "builder's behaviour); BuildKit neither creates /v nor discards later changes under it.",
    reason: 'BuildKit is the reference: VOLUME only edits the config; RUN changes under the path are kept.',
    evidence:
      'Case volume-then-run: buildah has /declared-only (empty dir) and no /vol/file, /vol/sub; BuildKit the ' +
      'opposite. (BuildKit fails `RUN echo x > /vol/f` right after VOLUME /vol: "nonexistent directory".)',
    always: false,
  },
  {
    id: 'buildah-env-redefined-order',
    what:
      'ENV redefining a variable the image already has (`ENV FROM_FIRST=1 PATH=/opt/tools:$PATH`): BuildKit replaces ' +
      'it where it stands in Env and appends only new names; buildah removes it and appends it after the new ones.',
    reason:
      'Env order is part of the config; Kiln follows BuildKit (and the classic builder): replace in place.',
    evidence:
      'Case from-build-arg: Env buildah ["FROM_FIRST=1","PATH=/opt/tools:…"], BuildKit ["PATH=/opt/tools:…","FROM_FIRST=1"].',
    always: false,
  },
  {
    id: 'buildah-run-mount-targets',
    what:
      'RUN --mount at a target the image lacks: buildah leaves the mount point it made (an empty directory, or an ' +
      'empty file and its directories) and the parents it made in the image; Docker 20.10 BuildKit leaves them too, ' +
      'current BuildKit removes each one still empty after the RUN (parents included) and restores the parent ' +
      "directory's times.",
    reason:
      'A mount point is not content: Kiln makes it outside the layer (a stub that never reaches the snapshot) as ' +
      'current BuildKit ends up (MountStubsCleaner, recursive for Dockerfiles: moby/buildkit#3307, llb ' +
      'RemoveMountStubsRecursive). The case lists the stubs buildah leaves.',
    evidence:
      'Cases mount-*: buildah leaves e.g. /usr/local/etc (for a file at /usr/local/etc/app.conf), /var/cache and /var/lib (caches at /var/cache/pkg, /var/lib/state), /tmp/scratch and /new/dir (tmpfs), /run/secrets and /etc/app (secrets), and removes /home/kiln of the base after a bind mount over it; Docker 20.10 BuildKit leaves the mount points and their parents (set aside by buildkit-check.ts as current BuildKit removes them) and keeps /home/kiln.',
    always: false,
  },
  {
    id: 'buildah-bind-mount-context',
    what: 'RUN --mount=type=bind of the build context: buildah bind-mounts the directory itself (.dockerignore not applied, the files keep their owners); BuildKit shows the context as it was sent (.dockerignore applied, owners 0:0 as the docker CLI sends them).',
    reason:
      'BuildKit is the reference: Kiln mounts a copy of the context with .dockerignore applied and owners 0:0.',
    evidence:
      'Case mount-bind-context: `find /src` lists secret.env (excluded by .dockerignore) and stat shows 1000:1000 for a file owned so in the context with buildah; BuildKit lists no secret.env and shows 0:0.',
    always: false,
  },
  {
    id: 'buildah-rw-bind-writes-through',
    what:
      'RUN --mount=type=bind,rw: buildah writes through to what is mounted (the build context directory on the ' +
      'host, or the stage it mounts from); BuildKit mounts a copy whose writes are discarded.',
    reason:
      'The Dockerfile reference says rw writes are discarded; Kiln mounts a throwaway copy, as BuildKit.',
    evidence:
      'Case mount-bind-from: after `echo new > /w/data` in an rw mount of stage build, buildah\'s `COPY --from=build /out/data` copies "new", BuildKit\'s "data". A first version of mount-bind-context with an rw mount of the context changed the case\'s context file on the host under buildah.',
    always: false,
  },
  {
    id: 'peers-lack-secret-env',
    what: "Neither buildah 1.28 nor Docker 20.10's BuildKit knows `--mount=type=secret,env=NAME` (Dockerfile 1.10).",
    reason:
      'Kiln sets the variable (and mounts no file unless target= is given) as current BuildKit does; the peers build ' +
      'the equivalent Dockerfile that reads the secret from a file into the variable (the case gives it).',
    evidence:
      "buildah 1.28: `secret should have syntax id=id[,target=path,required=bool,mode=uint,uid=uint,gid=uint`; Docker 20.10 BuildKit: `dockerfile parse error line 8: unexpected key 'env' in 'env=TOKEN'`.",
    always: false,
  },
];

/**
 * BuildKit's version of one reference entry: null removes it; fields replace
 * buildah's (`content` sets size and sha256). An entry buildah lacks is
 * created from the patch (type, mode, uid and gid required); its mtime is
 * never compared.
 */
export type EntryPatch = null | (Partial<Omit<TreeEntry, 'path' | 'size' | 'sha256'>> & { content?: string });

/** A case's use of a non-default difference, with BuildKit's values where they replace buildah's. */
export interface DifferenceUse {
  id: DifferenceId;
  /** BuildKit's values for these reference entries (absolute rootfs path → fields; `content` sets size and sha256). */
  entries?: Record<string, EntryPatch>;
  /** BuildKit's values of these config fields. */
  config?: Partial<ComparedConfig>;
}

/** An mtime later than any build start: compareTrees() never compares it. */
const NEVER_COMPARED = Number.MAX_SAFE_INTEGER;

const STUB_FILES = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf'];
const STUB_DIRS = ['/run', '/dev', '/proc', '/sys'];

export function differenceById(id: DifferenceId): IntendedDifference {
  const d = INTENDED_DIFFERENCES.find((x) => x.id === id);
  if (!d) throw new Error(`unknown intended difference ${id}`);
  return d;
}

/** Removes the empty RUN mount-point stubs from a tree; true when there were some. */
export function removeMountStubs(tree: Tree): boolean {
  let removed = false;
  for (const p of STUB_FILES) {
    const e = tree.get(p);
    if (e?.type === 'file' && e.size === 0) removed = tree.delete(p) || removed;
  }
  for (const p of STUB_DIRS) {
    const e = tree.get(p);
    const empty = ![...tree.keys()].some((k) => k.startsWith(`${p}/`));
    if (e?.type === 'dir' && empty) removed = tree.delete(p) || removed;
  }
  return removed;
}

/**
 * Applies the intended differences to the reference (buildah's) tree and
 * config, in place; returns the ids applied, for the failure message.
 */
export function normalizeReference(
  tree: Tree,
  config: ComparedConfig,
  uses: DifferenceUse[] = [],
): DifferenceId[] {
  const applied: DifferenceId[] = [];
  if (removeMountStubs(tree)) applied.push('run-mount-stubs');
  for (const use of uses) {
    differenceById(use.id);
    for (const [p, patch] of Object.entries(use.entries ?? {})) {
      if (patch === null) {
        if (!tree.delete(p)) throw new Error(`${use.id}: the reference has no ${p} to remove`);
        continue;
      }
      let e = tree.get(p);
      if (!e) {
        if (!patch.type || patch.mode === undefined || patch.uid === undefined || patch.gid === undefined)
          throw new Error(`${use.id}: ${p} is new in the reference: give its type, mode, uid and gid`);
        e = {
          path: p,
          type: patch.type,
          mode: patch.mode,
          uid: patch.uid,
          gid: patch.gid,
          mtime: NEVER_COMPARED,
        };
        tree.set(p, e);
      }
      const { content, ...fields } = patch;
      Object.assign(e, fields);
      if (content !== undefined) {
        if (e.type !== 'file') throw new Error(`${use.id}: ${p} is a ${e.type}, not a file`);
        e.size = Buffer.byteLength(content);
        e.sha256 = createHash('sha256').update(content).digest('hex');
      }
    }
    Object.assign(config, use.config ?? {});
    applied.push(use.id);
  }
  return applied;
}
