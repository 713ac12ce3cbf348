/**
 * The `# syntax=` directive. Kiln implements Docker's own Dockerfile
 * frontend (`docker/dockerfile`, also `docker/dockerfile-upstream`): a
 * reference to it selects the syntax of that version, where versions differ
 * in what Kiln implements (FEATURES below); any other frontend image is an
 * error naming it, unless the caller asks to ignore the directive. No
 * directive means the newest syntax, as a current `docker build` gives.
 *
 * The reference is the directive's first word (BuildKit passes the rest to
 * the frontend as arguments). Accepted: `[docker.io/]docker/dockerfile`
 * with no tag, `latest`, `labs`, `1`, `1.N`, `1.N.M` (a pre-release suffix
 * such as `-rc1` allowed), each optionally `-labs`, and the upstream
 * image's `master`/`master-labs`, each optionally pinned `@sha256:…`.
 */
import { DockerfileError } from './errors.js';

/** A syntax version; `undefined` components mean "the newest of that line". */
export interface SyntaxVersion {
  major: 1;
  minor?: number;
  patch?: number;
}

export interface DockerfileSyntax {
  /** The directive's reference as written (undefined: no directive, or ignored). */
  ref?: string;
  /** The version asked for (no directive: the newest). */
  version: SyntaxVersion;
  /** The `-labs` channel: experimental features of that version. */
  labs: boolean;
  /** One line for the debug log: which syntax this build uses and why. */
  description: string;
}

/** The newest syntax Kiln implements (no directive, `docker/dockerfile:1`, `latest`). */
export const LATEST_SYNTAX: DockerfileSyntax = {
  version: { major: 1 },
  labs: false,
  description: 'Dockerfile syntax: the newest (docker/dockerfile:1)',
};

/** Syntax features whose availability depends on the version, with the version that made each stable. */
export const FEATURES = {
  /** `RUN <<EOF` heredocs (1.3 in -labs). */
  heredocs: { since: [1, 4], labsSince: [1, 3] },
  /** COPY/ADD --link. */
  link: { since: [1, 4] },
  /** ADD --keep-git-dir and --checksum. */
  addGitAndChecksum: { since: [1, 5] },
  /** HEALTHCHECK --start-interval. */
  startInterval: { since: [1, 6] },
  /** Build checks and the `# check=` directive. */
  checks: { since: [1, 8] },
  /** White space between `<<` and the heredoc delimiter (`RUN << EOF`). */
  heredocWhitespace: { since: [1, 16] },
  /** ADD --unpack. */
  addUnpack: { since: [1, 17] },
  /** COPY/ADD --exclude (1.7 in -labs). */
  exclude: { since: [1, 19], labsSince: [1, 7] },
  /** COPY --parents (1.7 in -labs). */
  parents: { since: [1, 20], labsSince: [1, 7] },
  /** `# check=` comments right above an instruction (apply to it only). */
  checkComments: { since: [1, 21] },
} as const satisfies Record<string, { since: readonly [1, number]; labsSince?: readonly [1, number] }>;

export type SyntaxFeature = keyof typeof FEATURES;

/** Minor-version availability: `since` [1, N] means 1.N and later. */
function atLeast(version: SyntaxVersion, since: readonly [1, number]): boolean {
  return version.minor === undefined || version.minor >= since[1];
}

export function hasFeature(syntax: DockerfileSyntax, feature: SyntaxFeature): boolean {
  const f: { since: readonly [1, number]; labsSince?: readonly [1, number] } = FEATURES[feature];
  if (atLeast(syntax.version, f.since)) return true;
  return syntax.labs && f.labsSince !== undefined && atLeast(syntax.version, f.labsSince);
}

/** `1.N` of a feature, for messages. */
export function featureSince(feature: SyntaxFeature): string {
  return `1.${FEATURES[feature].since[1]}`;
}

export function formatVersion(v: SyntaxVersion): string {
  if (v.minor === undefined) return '1';
  return v.patch === undefined ? `1.${v.minor}` : `1.${v.minor}.${v.patch}`;
}

const FRONTEND =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?docker\/(dockerfile|dockerfile-upstream)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;
const VERSION_TAG = /^1(?:\.(\d+)(?:\.(\d+))?)?(?:-(?:rc|beta|alpha)\.?\d*)?(-labs)?$/;

/** Parses a frontend reference; undefined when it is not Docker's Dockerfile frontend. */
export function parseFrontendRef(ref: string): Omit<DockerfileSyntax, 'description'> | undefined {
  const m = FRONTEND.exec(ref);
  if (!m) return undefined;
  const tag = m[2];
  if (tag === undefined || tag === 'latest' || tag === 'master') {
    return { ref, version: { major: 1 }, labs: false };
  }
  if (tag === 'labs' || tag === 'master-labs') return { ref, version: { major: 1 }, labs: true };
  const v = VERSION_TAG.exec(tag);
  if (!v) return undefined;
  const version: SyntaxVersion = { major: 1 };
  if (v[1] !== undefined) version.minor = Number(v[1]);
  if (v[2] !== undefined) version.patch = Number(v[2]);
  return { ref, version, labs: v[3] !== undefined };
}

export interface SyntaxOptions {
  /** Build with Kiln's syntax whatever the directive names (kiln build --ignore-syntax). */
  ignoreSyntax?: boolean;
  /** BUILDKIT_SYNTAX build arg: replaces the directive, as in BuildKit. */
  override?: string;
}

/**
 * The syntax a Dockerfile asks for. `value` is the directive's value (its
 * first word is the reference), `line` where it is. Throws DockerfileError
 * for a frontend Kiln does not implement.
 */
export function resolveSyntax(
  file: string,
  directive: { value: string; line: number } | undefined,
  opts: SyntaxOptions = {},
): DockerfileSyntax {
  const from = opts.override
    ? { value: opts.override, line: undefined, what: 'the BUILDKIT_SYNTAX build arg' }
    : directive
      ? { ...directive, what: '# syntax=' }
      : undefined;
  if (!from) return LATEST_SYNTAX;
  const ref = from.value.trim().split(/\s+/)[0] ?? '';
  if (opts.ignoreSyntax) {
    return { ...LATEST_SYNTAX, description: `Dockerfile syntax: the newest (${from.what}${ref} ignored)` };
  }
  const parsed = parseFrontendRef(ref);
  if (!parsed) {
    throw new DockerfileError(
      file,
      from.line,
      `${from.what === '# syntax=' ? `# syntax=${ref}` : `BUILDKIT_SYNTAX=${ref}`}: Kiln implements only Docker's ` +
        `Dockerfile frontend (docker/dockerfile:1, :1.N, :1.N.M, -labs); it cannot run the frontend image ${ref}. ` +
        "Remove the directive, or pass --ignore-syntax to build it with Kiln's own Dockerfile syntax",
    );
  }
  const channel = parsed.labs ? ' (labs)' : '';
  const digestOnly = ref.includes('@') && !/:[^/@]+@/.test(ref);
  const pinned = digestOnly ? ', pinned by digest only: version unknown, the newest used' : '';
  return {
    ...parsed,
    description: `Dockerfile syntax ${formatVersion(parsed.version)}${channel} from ${from.what}${ref}${pinned}`,
  };
}
