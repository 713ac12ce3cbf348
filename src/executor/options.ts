/**
 * BuildOptions: the one typed object both front doors (CLI argv, action
 * inputs) produce and build() consumes. Validated once, by the front door,
 * before any work starts. The libraries take their own options
 * (library-options.ts maps these onto them).
 */
import type { CacheMode } from '../cache/cache-mode.js';
import { DEFAULT_CACHE_TTL_MS } from '../cache/create.js';

export type IsolationRequest = 'auto' | 'chroot' | 'rootless' | 'in-place' | 'none';
export type SnapshotMode = 'auto' | 'overlay' | 'walk';

export interface CacheOptions {
  /** Use and fill the layer cache (kaniko --cache). */
  enabled: boolean;
  /** What the build does with it: both (default), only look up (kaniko --no-push-cache), only store (no-cache). */
  mode?: CacheMode;
  /** Registry repository for cached layers (kaniko --cache-repo). */
  repo?: string;
  /** Entries older than this are ignored (kaniko --cache-ttl), in ms. */
  ttlMs: number;
  /** Local directory cache (kaniko --cache-dir). */
  dir?: string;
  /** Cache COPY/ADD layers too (kaniko --cache-copy-layers). */
  copyLayers: boolean;
  /** Cache RUN layers (kaniko --cache-run-layers). */
  runLayers: boolean;
}

/**
 * A build secret (`--secret id=ID[,src=PATH|,env=VAR]`, the action's
 * secrets inputs): exactly one of file, env, value. Read once when the build
 * starts; the value never enters a cache key, a layer, the history or a log.
 */
export interface SecretSource {
  id: string;
  /** A file whose content is the secret. */
  file?: string;
  /** An environment variable (of the Kiln process) holding it; unset means empty, as with BuildKit. */
  env?: string;
  /** The value itself. */
  value?: string;
}

/** An SSH agent for RUN --mount=type=ssh (`--ssh ID[=SOCKET|KEY[,KEY…]]`). */
export interface SshSource {
  /** `default` unless named. */
  id: string;
  /** One agent socket, or private key files; none: $SSH_AUTH_SOCK. */
  paths: string[];
}

/** A RUN's network (RUN --network, `--network`). */
export type NetworkMode = 'default' | 'none' | 'host';

/** What a Dockerfile may do only when allowed (BuildKit's entitlements, `--allow`). */
export type Entitlement = 'security.insecure' | 'network.host';
export const ENTITLEMENTS: readonly Entitlement[] = ['security.insecure', 'network.host'];

export interface CacheMountOptions {
  /** Where RUN --mount=type=cache content lives between builds; none: in the workspace, for one build. */
  dir?: string;
  /**
   * A tar the cache mounts are loaded from before the build (when it exists)
   * and saved to after it (the action carries it in the Actions cache).
   */
  archive?: string;
}

export interface BuildOptions {
  /** Build context directory (absolute). */
  context: string;
  /** Dockerfile path (absolute). */
  dockerfile: string;
  /** Full image references to push to. */
  destinations: string[];
  /** False with --no-push: build (and write local outputs) only. */
  push: boolean;
  /** docker-archive tarball to write (`docker load` format). */
  tarPath?: string;
  /** OCI image layout directory to write. */
  ociLayoutPath?: string;
  /** Build args after resolution (a bare KEY took its value from the environment). */
  buildArgs: Map<string, string>;
  target?: string;
  /** Extra labels applied to the final image. */
  labels: Map<string, string>;
  /** File that receives the image digest. */
  digestFile?: string;
  /** File that receives `<destination>@<digest>` per destination. */
  imageNameWithDigestFile?: string;
  /** File that receives `<destination name:tag>@<digest>` per destination (kaniko's --image-name-tag-with-digest-file). */
  imageNameTagWithDigestFile?: string;
  /** Do not check before building that the destinations accept a push (kaniko's --skip-push-permission-check). */
  skipPushPermissionCheck?: boolean;
  /** Registries reached over plain HTTP. */
  insecureRegistries: string[];
  /** Registries whose TLS certificate is not verified ('*' for all). */
  skipTlsVerifyRegistries: string[];
  /** host → CA certificate file. */
  registryCertificates: Map<string, string>;
  cache: CacheOptions;
  /** Clamp timestamps so that equal inputs give an equal digest. */
  reproducible: boolean;
  /** Compression of the layers this build makes (kaniko --compression); base layers stay as pulled. */
  compression: 'gzip' | 'zstd';
  /** Its level (kaniko --compression-level); default gzip 6, zstd 3. */
  compressionLevel?: number;
  /**
   * Target platforms `os/arch[/variant]`, in the order the index lists them;
   * empty: the host's. One platform makes an image; several make an OCI
   * image index of one image per platform.
   */
  platforms: string[];
  isolation: IsolationRequest;
  /** kaniko --force: build in place even where Kiln sees no container (it replaces /). */
  force: boolean;
  /** kaniko --ignore-path: paths an in-place build leaves alone (never extracted onto, snapshotted or cleared). */
  ignorePaths: string[];
  /** kaniko --cleanup: an in-place build puts back the container's own files at its end (a failed one always does). */
  cleanup: boolean;
  snapshotMode: SnapshotMode;
  /**
   * The local snapshot store (--store): unpacked layers kept by chain ID and
   * reused by later builds (stage roots are overlays of them). Undefined:
   * every build extracts into its workspace. Used as root with overlayfs;
   * elsewhere the build says why not and extracts.
   */
  store?: { dir: string; maxBytes: number };
  /** Directory for the build workspace; default: a fresh dir under the temp dir. */
  workspace?: string;
  /** Keep the workspace after the build (for debugging). */
  keepWorkspace: boolean;
  /** Attempts per registry request before giving up. */
  pushRetry: number;
  /** Docker config.json with registry credentials; default $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
  dockerConfig?: string;
  /** SOURCE_DATE_EPOCH (seconds): history/config time, and the clamp for layer mtimes. */
  sourceDateEpoch?: number;
  /**
   * Push nothing when the destinations that exist already hold this image,
   * apart from these labels and timestamps (the action's skip_unchanged_digest).
   */
  skipUnchanged?: { ignoreLabels: string[] };
  /**
   * Push the image (or index) to each destination's repository by its digest
   * only, no tag (one machine of several; `kiln index create` merges them).
   */
  pushByDigest: boolean;
  /** Build with Kiln's Dockerfile syntax whatever `# syntax=` names (--ignore-syntax). */
  ignoreSyntax?: boolean;
  /** Token for git sources on GitHub's hosts (ADD of a GitHub repository); a secret. */
  gitAuthToken?: string;
  /** Build secrets for RUN --mount=type=secret. */
  secrets: SecretSource[];
  /** SSH agents for RUN --mount=type=ssh. */
  ssh: SshSource[];
  /** Entitlements granted (`--allow security.insecure`). */
  allow: Entitlement[];
  /**
   * The network of RUN steps without --network (`--network`, docker build's):
   * default (a namespace of its own with outbound access), none, or host.
   */
  network: NetworkMode;
  cacheMounts: CacheMountOptions;
}

/** The Dockerfile's name in the context when none is given. */
export const DEFAULT_DOCKERFILE = 'Dockerfile';

/** Options with every default filled; front doors override what the user set. */
export function defaultBuildOptions(context: string, dockerfile: string): BuildOptions {
  return {
    context,
    dockerfile,
    destinations: [],
    push: true,
    buildArgs: new Map(),
    labels: new Map(),
    insecureRegistries: [],
    skipTlsVerifyRegistries: [],
    registryCertificates: new Map(),
    cache: { enabled: false, ttlMs: DEFAULT_CACHE_TTL_MS, copyLayers: true, runLayers: true },
    reproducible: false,
    compression: 'gzip',
    isolation: 'auto',
    force: false,
    ignorePaths: [],
    cleanup: false,
    snapshotMode: 'auto',
    keepWorkspace: false,
    pushRetry: 8,
    platforms: [],
    pushByDigest: false,
    secrets: [],
    ssh: [],
    allow: [],
    network: 'default',
    cacheMounts: {},
  };
}
