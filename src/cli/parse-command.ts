/**
 * `kiln parse [-f Dockerfile] [--build-arg K=V] [--target T] [--platform os/arch]`:
 * prints the parsed Dockerfile (directives, meta ARGs, stages and typed
 * instructions) and the build plan as JSON on stdout. A Dockerfile error
 * exits non-zero with `file:line: message` on stderr.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from '../cli.js';
import { type ParsedDockerfile, parseDockerfile } from '../dockerfile/dockerfile.js';
import type { ParseWarning } from '../dockerfile/parser.js';
import { hostPlatform, parsePlatform } from '../dockerfile/platform.js';
import { type BuildPlan, planStages } from '../dockerfile/stages.js';
import { parseKeyValues } from '../flags/apply-flags.js';
import { type FlagSpec, formatFlagHelp, parseFlags, UsageError } from '../flags/parser.js';

export const PARSE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'dockerfile',
    short: 'f',
    kind: 'string',
    metavar: 'path',
    aliases: ['file'],
    help: 'Dockerfile to parse (default: ./Dockerfile)',
  },
  {
    name: 'build-arg',
    kind: 'list',
    metavar: 'KEY[=value]',
    help: 'Build argument; a bare KEY takes its value from the environment',
  },
  { name: 'target', kind: 'string', metavar: 'stage', help: 'Plan for this stage (default: the last)' },
  {
    name: 'platform',
    kind: 'string',
    metavar: 'os/arch',
    aliases: ['custom-platform'],
    help: 'Target platform for the TARGET* args (default: the host)',
  },
  { name: 'help', short: 'h', kind: 'bool', help: 'Show this help' },
];

export function parseHelp(): string {
  return [
    'Usage: kiln parse [flags]',
    '',
    'Prints the stages, typed instructions and build plan of a Dockerfile as JSON.',
    '',
    formatFlagHelp(PARSE_FLAGS),
    '',
  ].join('\n');
}

function formatWarning(w: ParseWarning): string {
  return w.line === undefined ? `${w.file}: ${w.message}` : `${w.file}:${w.line}: ${w.message}`;
}

/** What `kiln parse` prints: the parsed Dockerfile and its plan, as plain JSON data. */
export function parseReport(df: ParsedDockerfile, plan: BuildPlan): Record<string, unknown> {
  return {
    file: df.file,
    escapeToken: df.escapeToken,
    ...(df.syntax.ref === undefined ? {} : { syntax: df.syntax.ref }),
    directives: df.directives,
    metaArgs: df.metaArgs,
    stages: df.stages,
    plan: {
      target: plan.target,
      globalArgs: Object.fromEntries(plan.globalArgs),
      stages: plan.stages.map((p) => ({
        index: p.index,
        ...(p.name === undefined ? {} : { name: p.name }),
        base: p.base,
        ...(p.platform === undefined ? {} : { platform: p.platform }),
        dependsOn: p.dependsOn,
        images: p.images,
        onbuild: p.onbuild,
      })),
    },
    warnings: plan.warnings.map(formatWarning),
  };
}

export async function runParse(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, PARSE_FLAGS);
  if (flags.values.get('help')) {
    io.stdout(parseHelp());
    return 0;
  }
  if (flags.positional.length > 0) {
    throw new UsageError(`unexpected argument "${flags.positional[0]}" (use -f to name the Dockerfile)`);
  }
  const name = (flags.values.get('dockerfile') as string | undefined) ?? 'Dockerfile';
  const buildArgs = parseKeyValues(
    'build-arg',
    (flags.values.get('build-arg') as string[] | undefined) ?? [],
    io.env,
  );
  const target = flags.values.get('target') as string | undefined;
  const platformText = flags.values.get('platform') as string | undefined;
  let targetPlatform = hostPlatform();
  if (platformText !== undefined) {
    try {
      targetPlatform = parsePlatform(platformText);
    } catch (err) {
      throw new UsageError(`--platform: ${(err as Error).message}`);
    }
  }

  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, name), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UsageError(`cannot read ${name}: no such file (name the Dockerfile with -f)`);
    }
    throw err;
  }
  const df = parseDockerfile(text, name);
  const plan = planStages(df, {
    ...(target === undefined ? {} : { target }),
    buildArgs,
    buildPlatform: hostPlatform(),
    targetPlatform,
  });
  for (const w of plan.warnings) io.stderr(`kiln: warning: ${formatWarning(w)}\n`);

  const out = parseReport(df, plan);
  io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}
