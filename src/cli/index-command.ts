/**
 * `kiln index create --tag REF [--tag REF…] SOURCE…`: merges image
 * manifests and indexes (SOURCE: `name@sha256:…` from --push-by-digest, or a
 * tag) into one OCI index, copies what they name into each tag's
 * repository (cross-repository mount on one registry) and pushes the index
 * last. Prints the index digest. Registry flags as for `kiln build`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from '../cli.js';
import { registryClientOptions } from '../executor/library-options.js';
import { defaultBuildOptions } from '../executor/options.js';
import { applyBuildFlags } from '../flags/apply-flags.js';
import { BUILD_FLAGS } from '../flags/executor-flags.js';
import { type FlagSpec, formatFlagHelp, parseFlags, UsageError } from '../flags/parser.js';
import { parseReference, type Reference } from '../image/reference.js';
import type { Logger } from '../log.js';
import { RegistryClient } from '../registry/client.js';
import { dockerConfigCredentials } from '../registry/credentials.js';
import { createIndex } from '../registry/index-create.js';

/** Flags shared with kiln build (same meaning, applied by the same code). */
const SHARED = [
  'insecure-registry',
  'skip-tls-verify',
  'skip-tls-verify-registry',
  'registry-certificate',
  'push-retry',
  'digest-file',
  'verbosity',
];

export const INDEX_FLAGS: readonly FlagSpec[] = [
  {
    name: 'tag',
    short: 't',
    kind: 'list',
    metavar: 'ref',
    help: 'Reference to push the index to (registry/repository:tag); repeat for several',
  },
  { name: 'dry-run', kind: 'bool', help: 'Print the index (its exact JSON) instead of pushing it' },
  ...BUILD_FLAGS.filter((f) => SHARED.includes(f.name)).map((f) =>
    f.name === 'insecure-registry' ? { ...f, help: 'Reach this registry over plain HTTP' } : f,
  ),
  { name: 'help', short: 'h', kind: 'bool', help: 'Show this help' },
];

export function indexHelp(): string {
  return [
    'Usage: kiln index create --tag REF [--tag REF…] SOURCE…',
    '',
    'Merges image manifests and indexes (SOURCE: name@sha256:… as --push-by-digest',
    'printed it, or name:tag) into one OCI image index, in the order given, and',
    "pushes it to every --tag (each image's blobs and manifest first).",
    '',
    formatFlagHelp(INDEX_FLAGS),
    '',
  ].join('\n');
}

function reference(what: string, text: string): Reference {
  try {
    return parseReference(text);
  } catch (e) {
    throw new UsageError(`${what} "${text}": ${(e as Error).message}`);
  }
}

export async function runIndex(
  argv: readonly string[],
  io: CliIo,
  makeLogger: (verbosity: string | undefined) => Logger & { close?(): void },
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(indexHelp());
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'create') throw new UsageError(`unknown index command "${sub}" (kiln index create …)`);
  const flags = parseFlags(rest, INDEX_FLAGS);
  if (flags.values.get('help')) {
    io.stdout(indexHelp());
    return 0;
  }
  const dryRun = flags.values.get('dry-run') === true;
  const tags = ((flags.values.get('tag') as string[] | undefined) ?? []).map((t) => reference('--tag', t));
  for (const t of tags) {
    if (t.digest)
      throw new UsageError(`--tag "${t}": name a tag, not a digest (the index's digest is printed)`);
  }
  if (tags.length === 0 && !dryRun) {
    throw new UsageError('no --tag given: name where the index goes (--tag registry/repo:tag), or --dry-run');
  }
  if (flags.positional.length === 0) {
    throw new UsageError('no source given: name the images or indexes to merge (name@sha256:… or name:tag)');
  }
  const sources = flags.positional.map((s) => reference('source', s));
  const o = applyBuildFlags(defaultBuildOptions(io.cwd, io.cwd), flags.values, undefined, io.cwd);
  const log = makeLogger(flags.values.get('verbosity') as string | undefined);
  for (const w of flags.warnings) log.warn(w);
  const client = new RegistryClient(
    registryClientOptions(o, { credentials: dockerConfigCredentials({}), logger: log }),
  );
  try {
    const index = await createIndex(client, sources, dryRun ? [] : tags);
    for (const e of index.entries) log.info(`${e.platform}: ${e.digest} (from ${e.source})`);
    if (dryRun) {
      io.stdout(`${index.bytes.toString('utf8')}\n`);
      return 0;
    }
    log.info(`pushed index ${index.digest} to ${tags.map(String).join(', ')}`);
    if (o.digestFile) {
      await mkdir(path.dirname(o.digestFile), { recursive: true });
      await writeFile(o.digestFile, index.digest);
    }
    io.stdout(`${index.digest}\n`);
    return 0;
  } finally {
    await client.close();
    log.close?.();
  }
}
