/**
 * CLI entry: argv → BuildOptions → build(). Returns the exit code; the bin
 * script sets process.exitCode from it.
 */
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { buildOptionsFromFlags } from './cli/build-flags.js';
import { displayPath, runChecksOnly } from './cli/check-command.js';
import { contextArchive, type UnpackedContext, unpackContext } from './cli/context-archive.js';
import { indexHelp, runIndex } from './cli/index-command.js';
import { parseHelp, runParse } from './cli/parse-command.js';
import { pruneHelp, runPrune } from './cli/prune-command.js';
import { ttyLogger } from './cli/tty-logger.js';
import { build } from './executor/build.js';
import { BUILD_FLAGS, cliSettingName } from './flags/executor-flags.js';
import { formatFlagHelp, parseFlags, UsageError } from './flags/parser.js';
import { fetchGitContext, gitContextAuth, parseGitContext } from './git/context.js';
import { namingSettings, renderSettings } from './hints.js';
import { Interrupts } from './interrupt.js';
import { type Logger, streamLogger } from './log.js';
import { VERSION } from './version.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (live progress instead of plain lines). */
  isTTY: boolean;
  /** Width of the terminal. */
  columns?: () => number;
  /** Standard input (for --context tar://stdin). */
  stdin?: () => Readable;
  /** Ends the process at once (an interrupted build); default: return the exit code. */
  exit?: (code: number) => void;
}

const COMMANDS: Record<string, string> = {
  build: 'Build an image from a Dockerfile and push it (kaniko executor flags)',
  check: "Run BuildKit's build checks on a Dockerfile (kiln build's flags); exit 1 on findings",
  index: 'Merge images and indexes into one multi-platform index (index create)',
  parse: 'Print the stages, instructions and build plan of a Dockerfile as JSON',
  prune: 'Remove snapshot store layers no running build uses',
  help: 'Show help for a command',
  version: 'Print the version',
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    `kiln ${VERSION}: build container images from a Dockerfile with no Docker daemon.`,
    '',
    'Usage: kiln <command> [flags]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([c, h]) => `  ${c.padEnd(width)}${h}`),
    '',
    'Flags of kiln build:',
    formatFlagHelp(BUILD_FLAGS),
    '',
  ].join('\n');
}

function buildHelp(): string {
  return ['Usage: kiln build [flags]', '', formatFlagHelp(BUILD_FLAGS), ''].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
        io.stdout(mainHelp());
        return command === undefined ? 2 : 0;
      case 'help':
        io.stdout(
          rest[0] === 'build' || rest[0] === 'check'
            ? buildHelp()
            : rest[0] === 'parse'
              ? parseHelp()
              : rest[0] === 'index'
                ? indexHelp()
                : rest[0] === 'prune'
                  ? pruneHelp()
                  : mainHelp(),
        );
        return 0;
      case 'version':
      case '--version':
        io.stdout(`kiln ${VERSION}\n`);
        return 0;
      case 'build':
        return await runBuild(rest, io);
      case 'check':
        return await runBuild(['--check', ...rest], io);
      case 'parse':
        return await runParse(rest, io);
      case 'index':
        return await runIndex(rest, io, (verbosity) => cliLogger(io, verbosity));
      case 'prune':
        return await runPrune(rest, io);
      default:
        throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`kiln: ${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`kiln: error: ${renderSettings(message, cliSettingName)}\n`);
    return 1;
  }
}

/** Library hints name settings by code (hints.ts): here they read as flags. */
function cliLogger(io: CliIo, verbosity: string | undefined): Logger & { close?(): void } {
  const verbose = verbosity === 'debug' || verbosity === 'trace';
  const log =
    io.isTTY && !io.env.CI
      ? ttyLogger({ verbose, write: io.stderr, columns: () => io.columns?.() ?? 80 })
      : streamLogger({ verbose, timestamps: !io.isTTY, write: (line) => io.stderr(`${line}\n`) });
  return namingSettings(log, cliSettingName);
}

async function runBuild(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, BUILD_FLAGS);
  if (flags.values.get('help')) {
    io.stdout(buildHelp());
    return 0;
  }
  if (flags.positional.length > 0) {
    throw new UsageError(`unexpected argument "${flags.positional[0]}" (kiln build takes flags only)`);
  }
  const log = cliLogger(io, flags.values.get('verbosity') as string | undefined);
  for (const w of flags.warnings) log.warn(w);
  const interrupts = Interrupts.install({
    notify: (m) => io.stderr(`kiln: ${m}\n`),
    // In process (tests), an interrupted build returns its exit code instead of ending the process.
    exit: io.exit ?? (() => undefined),
  });
  // --context tar://… or a git repository: unpacked or fetched first (next to the workspace),
  // then built as a directory.
  const contextValue = flags.values.get('context') as string | undefined;
  const archive = contextArchive(contextValue);
  const repo =
    archive === undefined && contextValue !== undefined
      ? parseGitContext(contextValue, { kanikoGit: true, env: io.env })
      : undefined;
  const ws = flags.values.get('workspace') as string | undefined;
  const parent = ws ? path.resolve(io.cwd, ws) : os.tmpdir();
  let unpacked: UnpackedContext | undefined;
  for (const secret of [io.env.GIT_AUTH_TOKEN, io.env.GIT_TOKEN, io.env.GIT_PASSWORD])
    log.secret(secret ?? '');
  try {
    if (archive !== undefined) {
      unpacked = await unpackContext(archive, { cwd: io.cwd, parent, stdin: io.stdin });
      flags.values.set('context', unpacked.dir);
      log.info(`context: unpacked tar://${archive}`);
    } else if (repo) {
      const auth = gitContextAuth(repo, io.env);
      const fetched = await fetchGitContext(repo, {
        parent,
        ...(auth ? { auth } : {}),
        log: (l) => log.info(l),
      });
      unpacked = fetched;
      flags.values.set('context', fetched.dir);
      log.info(`context: ${fetched.name} at ${fetched.commit}`);
    }
    const options = buildOptionsFromFlags(flags.values, io.env, io.cwd);
    if (flags.values.get('check')) {
      const { output, exitCode } = await runChecksOnly(options, log, displayPath(io.cwd));
      io.stdout(output);
      return exitCode;
    }
    const result = await build(options, log, { interrupt: interrupts });
    io.stdout(`${result.digest}\n`);
    return 0;
  } catch (e) {
    const code = interrupts.exitCode();
    if (code === undefined) throw e;
    await unpacked?.cleanup();
    unpacked = undefined;
    log.close?.();
    io.stderr(`kiln: build stopped (exit ${code}); its workspace and partial outputs are removed\n`);
    interrupts.exitInterrupted();
    return code;
  } finally {
    await unpacked?.cleanup();
    log.close?.();
    interrupts.uninstall();
  }
}
