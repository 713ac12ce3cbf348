/**
 * kaniko's executor flags, and Kiln's own, in one table both front doors
 * use: `kiln build` parses its argv with it, the action its `extra_args`.
 * Every flag of kaniko's `executor --help` is here: implemented, accepted
 * with no effect because Kiln already does what it asks (`ignored`, with
 * why), or refused with why (`refused`). apply-flags.ts maps the values onto
 * BuildOptions; cliSettingName() names the settings of library hints
 * (hints.ts) by these flags.
 */
import { DEFAULT_STORE_MAX_TEXT } from '../executor/store/location.js';
import type { Setting } from '../hints.js';
import type { FlagSpec } from './parser.js';

export const BUILD_FLAGS: readonly FlagSpec[] = [
  {
    name: 'context',
    short: 'c',
    kind: 'string',
    metavar: 'dir',
    help: 'Build context: a directory, or tar://FILE | tar://stdin (default: .)',
  },
  {
    name: 'context-sub-path',
    kind: 'string',
    metavar: 'path',
    help: 'Use this directory inside the context as the context',
  },
  {
    name: 'dockerfile',
    short: 'f',
    kind: 'string',
    metavar: 'path',
    help: 'Dockerfile, relative to the context (default: Dockerfile)',
  },
  {
    name: 'destination',
    short: 'd',
    kind: 'list',
    metavar: 'ref',
    help: 'Image reference to push to; repeat for several tags',
  },
  {
    name: 'no-push',
    kind: 'bool',
    help: 'Build without pushing (write --tar-path / --oci-layout-path only)',
  },
  {
    name: 'tar-path',
    kind: 'string',
    metavar: 'file',
    aliases: ['tarPath'],
    help: 'Write the image as a docker-archive tarball',
  },
  { name: 'oci-layout-path', kind: 'string', metavar: 'dir', help: 'Write the image as an OCI image layout' },
  {
    name: 'build-arg',
    kind: 'list',
    metavar: 'KEY[=value]',
    help: 'Build argument; a bare KEY takes its value from the environment',
  },
  { name: 'target', kind: 'string', metavar: 'stage', help: 'Build this stage (default: the last)' },
  { name: 'label', kind: 'list', metavar: 'KEY=value', help: 'Label to add to the final image' },
  { name: 'digest-file', kind: 'string', metavar: 'file', help: 'Write the image digest to this file' },
  {
    name: 'image-name-with-digest-file',
    kind: 'string',
    metavar: 'file',
    help: 'Write <destination>@<digest> lines to this file',
  },
  {
    name: 'image-name-tag-with-digest-file',
    kind: 'string',
    metavar: 'file',
    help: 'Write <destination name:tag>@<digest> lines to this file',
  },
  {
    name: 'skip-push-permission-check',
    kind: 'bool',
    help: 'Do not check before the build that every destination accepts a push',
  },
  { name: 'insecure-registry', kind: 'list', metavar: 'host', help: 'Reach this registry over plain HTTP' },
  { name: 'insecure', kind: 'bool', help: 'Push to the destination registries over plain HTTP' },
  { name: 'skip-tls-verify', kind: 'bool', help: 'Do not verify TLS certificates of any registry' },
  {
    name: 'skip-tls-verify-registry',
    kind: 'list',
    metavar: 'host',
    help: 'Do not verify the TLS certificate of this registry',
  },
  {
    name: 'registry-certificate',
    kind: 'list',
    metavar: 'host=file',
    help: 'Trust this CA certificate file for a registry',
  },
  { name: 'cache', kind: 'bool', help: 'Use and fill the layer cache' },
  { name: 'cache-repo', kind: 'string', metavar: 'repo', help: 'Registry repository for cached layers' },
  {
    name: 'cache-ttl',
    kind: 'duration',
    metavar: 'duration',
    help: 'Ignore cache entries older than this (default: 336h)',
  },
  {
    name: 'cache-dir',
    kind: 'string',
    metavar: 'dir',
    help: 'Local directory for the layer cache; RUN cache mounts persist in its cache-mounts/',
  },
  { name: 'no-push-cache', kind: 'bool', help: 'Read the layer cache but store nothing in it' },
  { name: 'cache-copy-layers', kind: 'bool', help: 'Cache COPY/ADD layers (default: true)' },
  { name: 'cache-run-layers', kind: 'bool', help: 'Cache RUN layers (default: true)' },
  { name: 'reproducible', kind: 'bool', help: 'Clamp timestamps so equal inputs give an equal digest' },
  {
    name: 'secret',
    kind: 'list',
    metavar: 'id=ID[,src=PATH|,env=VAR]',
    help: 'Secret for RUN --mount=type=secret (buildx syntax); never in a layer, key or log',
  },
  {
    name: 'ssh',
    kind: 'list',
    metavar: 'default|ID[=SOCKET|KEY…]',
    help: 'SSH agent (or keys) for RUN --mount=type=ssh; default: $SSH_AUTH_SOCK',
  },
  {
    name: 'allow',
    kind: 'list',
    metavar: 'entitlement',
    help: 'Allow security.insecure (RUN --security=insecure) or network.host',
  },
  {
    name: 'network',
    kind: 'string',
    metavar: 'default|none|host',
    help: "Network of RUN steps without --network: default (its own, outbound only), none, or the host's",
  },
  {
    name: 'compression',
    kind: 'string',
    metavar: 'gzip|zstd',
    help: 'Compression of the layers the build makes (default: gzip)',
  },
  {
    name: 'compression-level',
    kind: 'int',
    metavar: 'n',
    help: 'Compression level: gzip 1-9 (default 6), zstd 1-19 (default 3)',
  },
  {
    name: 'platform',
    kind: 'list',
    metavar: 'os/arch,…',
    help: 'Target platforms, comma-separated or repeated, e.g. linux/amd64,linux/arm64: several make an image index (default: the host)',
  },
  {
    name: 'custom-platform',
    kind: 'string',
    metavar: 'os/arch',
    aliases: ['customPlatform'],
    help: "Target platform (kaniko's name; one platform)",
  },
  {
    name: 'push-by-digest',
    kind: 'bool',
    help: 'Push by digest only, no tag (one runner of several; merge with kiln index create)',
  },
  {
    name: 'isolation',
    kind: 'string',
    metavar: 'mode',
    help: 'RUN isolation: auto, chroot, rootless, in-place (default: auto)',
  },
  {
    name: 'force',
    kind: 'bool',
    help: 'Build in place (--isolation in-place) even where Kiln sees no container: it replaces /',
  },
  {
    name: 'ignore-path',
    kind: 'list',
    metavar: 'path',
    help: 'In-place builds: leave this path alone (never extracted onto, snapshotted or cleared)',
  },
  {
    name: 'cleanup',
    kind: 'bool',
    help: "In-place builds: put back the container's own files at the end (a failed build always does)",
  },
  {
    name: 'snapshot-mode',
    kind: 'string',
    metavar: 'mode',
    aliases: ['snapshotMode'],
    help: 'Layer snapshots: auto, overlay, walk (default: auto)',
  },
  {
    name: 'store',
    kind: 'string',
    metavar: 'dir',
    help: 'Snapshot store: unpacked layers later builds reuse (default: <cache-dir>/store, else ~/.cache/kiln/store)',
  },
  { name: 'no-store', kind: 'bool', help: 'Use no snapshot store: extract every layer into the workspace' },
  {
    name: 'store-max',
    kind: 'string',
    metavar: 'size',
    help: `Snapshot store size cap; least recently used layers go beyond it (default: ${DEFAULT_STORE_MAX_TEXT})`,
  },
  {
    name: 'workspace',
    kind: 'string',
    metavar: 'dir',
    help: 'Build workspace directory (default: a temp dir)',
  },
  { name: 'keep-workspace', kind: 'bool', help: 'Keep the workspace after the build' },
  { name: 'push-retry', kind: 'int', metavar: 'n', help: 'Attempts per registry request (default: 8)' },
  {
    name: 'verbosity',
    short: 'v',
    kind: 'string',
    metavar: 'level',
    help: 'Log level: error, warn, info, debug',
  },
  {
    name: 'check',
    kind: 'bool',
    help: 'Run the build checks only (as kiln check): print findings, exit 1 on any',
  },
  {
    name: 'ignore-syntax',
    kind: 'bool',
    help: "Build with Kiln's Dockerfile syntax whatever # syntax= names (else another frontend is an error)",
  },
  { name: 'help', short: 'h', kind: 'bool', help: 'Show this help' },
  { name: 'use-new-run', kind: 'bool', ignored: 'Kiln always snapshots only what a RUN changed' },
  { name: 'compressed-caching', kind: 'bool', ignored: 'Kiln never holds layers in memory' },
  {
    name: 'ignore-var-run',
    kind: 'bool',
    aliases: ['whitelist-var-run'],
    ignored: 'Kiln never captures mount points (/var/run/secrets…)',
  },
  { name: 'skip-unused-stages', kind: 'bool', ignored: 'unused stages are always skipped' },
  { name: 'kaniko-dir', kind: 'string', ignored: 'Kiln keeps its files in --workspace' },
  { name: 'log-format', kind: 'string', ignored: 'Kiln prints plain lines' },
  { name: 'log-timestamp', kind: 'bool', ignored: 'timestamps are printed when not on a terminal' },
  {
    name: 'image-fs-extract-retry',
    kind: 'int',
    ignored: 'layers are extracted from verified downloads, which --push-retry retries',
  },
  {
    name: 'image-download-retry',
    kind: 'int',
    ignored: 'every registry request, downloads included, is retried --push-retry times',
  },
  {
    name: 'single-snapshot',
    kind: 'bool',
    refused: 'each step makes its own layer, as with Docker; squashing is not supported',
  },
  {
    name: 'bucket',
    short: 'b',
    kind: 'string',
    refused: 'GCS contexts are not supported: download the context and pass --context <dir> or tar://FILE',
  },
  {
    name: 'git',
    kind: 'string',
    refused:
      "kaniko's git options (branch=, single-branch=, recurse-submodules=) are not supported: name the ref in the context (--context git://host/o/r.git#refs/heads/main)",
  },
  {
    name: 'insecure-pull',
    kind: 'bool',
    refused: 'name each registry to reach over plain HTTP with --insecure-registry HOST (pulls and pushes)',
  },
  {
    name: 'skip-tls-verify-pull',
    kind: 'bool',
    refused:
      'name each registry whose certificate is not checked with --skip-tls-verify-registry HOST (pulls and pushes)',
  },
  {
    name: 'push-ignore-immutable-tag-errors',
    kind: 'bool',
    refused: 'not supported yet: a refused tag fails the push',
  },
  {
    name: 'registry-client-cert',
    kind: 'list',
    refused: 'client certificates (mTLS) are not supported yet',
  },
  {
    name: 'registry-mirror',
    kind: 'list',
    refused:
      'registry mirrors are not supported yet: name the mirror in FROM (e.g. mirror.example/library/alpine)',
  },
  {
    name: 'registry-map',
    kind: 'list',
    refused: 'registry maps are not supported yet: name the mirror in FROM',
  },
  {
    name: 'skip-default-registry-fallback',
    kind: 'bool',
    refused: 'registry mirrors are not supported yet (see --registry-mirror)',
  },
  {
    name: 'force-build-metadata',
    kind: 'bool',
    refused: 'Kiln adds no layers for metadata instructions (ENV, LABEL, …), as BuildKit',
  },
];

/** The flag (with the value a hint suggests) that sets a setting, as the CLI names it. */
export function cliSettingName(s: Setting, value: string | undefined): string {
  const v = value === undefined ? '' : ` ${value}`;
  switch (s) {
    case 'credentials':
      return 'docker login, or the config.json in $DOCKER_CONFIG';
    case 'platform':
      return `--platform${v}`;
    default:
      return `--${s}${v}`;
  }
}
