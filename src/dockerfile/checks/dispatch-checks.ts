/**
 * Checks BuildKit runs while it dispatches each stage's instructions
 * (dockerfile2llb dispatch*), replayed here over the stage's ARG/ENV scope:
 * UndefinedVar, LegacyKeyValueFormat, SecretsUsedInArgOrEnv,
 * WorkdirRelativePath, JSONArgsRecommended, MultipleInstructionsDisallowed,
 * ExposeProtoCasing, ExposeInvalidFormat, CopyIgnoredFile and
 * InvalidBaseImagePlatform. A stage built FROM an earlier stage starts from
 * that stage's scope, SHELL and WORKDIR state; one built on an image from
 * the image's config (Env, Shell, OnBuild), when the caller knows it.
 */
import path from 'node:path';
import { type ParsedDockerfile, parseOnbuildTrigger } from '../dockerfile.js';
import type { IgnoreMatcher } from '../dockerignore.js';
import type { Location } from '../errors.js';
import type { Instruction } from '../instructions.js';
import { parseWords, splitCommand } from '../line-parsers.js';
import { formatPlatform, type PlatformSpec } from '../platform.js';
import { StageScope } from '../scope.js';
import { ShellLex } from '../shell-lex.js';
import type { Linter } from './linter.js';
import { RULES } from './rules.js';
import { stageBase } from './stage-base.js';
import { suggestName } from './suggest.js';

/** What a check needs of a stage's base image (from its config). */
export interface BaseImageInfo {
  env: readonly string[];
  shell?: readonly string[];
  onBuild?: readonly string[];
  /** The platform of the image that was pulled. */
  platform?: PlatformSpec;
}

export interface DispatchCheckInput {
  buildArgs: ReadonlyMap<string, string>;
  /** Global ARGs resolved with the build args (plan.globalArgs). */
  globalArgs: ReadonlyMap<string, string>;
  targetPlatform: PlatformSpec;
  /** Stage indexes to dispatch (all stages for `kiln check`, the planned ones for a build). */
  stages: readonly number[];
  /** Base image configs by stage index, when known (stages on images only). */
  baseImages: ReadonlyMap<number, BaseImageInfo>;
  /** The context's .dockerignore (CopyIgnoredFile). */
  dockerignore?: IgnoreMatcher;
}

interface StageState {
  scope: StageScope;
  shell: readonly string[];
  workdirSet: boolean;
}

/** BuildKit never exports these to the environment. */
const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);
const SECRET = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const NOT_SECRET = /(?:_|^)(?:public|file|version)(?:_|$)/i;

function isSecretName(key: string): boolean {
  return SECRET.test(key) && !NOT_SECRET.test(key);
}

/** `ENV key value` / `LABEL key value` (no `=` in the first word): BuildKit's legacy form. */
function isLegacyKeyValue(instr: Instruction, escapeToken: '\\' | '`'): boolean {
  const { rest } = splitCommand(instr.original);
  const first = parseWords(rest, escapeToken)[0];
  return first !== undefined && !first.includes('=');
}

function keyword(instr: Instruction): string {
  return splitCommand(instr.original).cmd;
}

/** EXPOSE `[ip:][hostPort:]containerPort[/proto]`: the parts BuildKit's portSpecs looks at. */
function splitPort(raw: string): { ip: string; hostPort: string; proto: string } {
  const parts = raw.split(':');
  const n = parts.length;
  const ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
  const hostPort = n >= 2 ? parts[n - 2]! : '';
  const container = parts[n - 1]!;
  const slash = container.indexOf('/');
  return { ip, hostPort, proto: slash < 0 ? '' : container.slice(slash + 1) };
}

/** ADD's remote sources (URLs, git) are not context files; `github.com/o/r` is a path to BuildKit here. */
function isUrlOrGit(src: string): boolean {
  return /^(https?|git|ssh):\/\//i.test(src) || /^[\w.-]+@[\w.-]+:/.test(src);
}

/** Go's path.Clean for context-relative sources. */
function cleanSource(src: string): string {
  const c = path.posix.normalize(src);
  return c.length > 1 ? c.replace(/\/+$/, '') : c;
}

/** A `.dockerignore` that ignores every entry at the root (`*`, `**`, `**\/*`). */
function ignoresRoot(ignore: IgnoreMatcher): boolean {
  return ignore.patterns.some((p) => !p.pattern.startsWith('!') && ['*', '**', '**/*'].includes(p.pattern));
}

export function dispatchChecks(
  df: ParsedDockerfile,
  input: DispatchCheckInput,
  lint: Linter,
  commentsOf: (line: number) => readonly string[],
): void {
  const lex = new ShellLex(df.escapeToken);
  const rawLex = new ShellLex('\\', { skipProcessQuotes: true });
  const finished = new Map<number, StageState>();
  const ignore = input.dockerignore?.patterns.length ? input.dockerignore : undefined;

  for (const index of input.stages) {
    const stage = df.stages[index]!;
    const base = stageBase(df, stage, input.globalArgs);
    const inherited = base.stage ? finished.get(base.stage.index) : undefined;
    const info = input.baseImages.get(index);
    const state: StageState = inherited
      ? { scope: inherited.scope.clone(), shell: inherited.shell, workdirSet: inherited.workdirSet }
      : {
          scope: StageScope.forImage({
            baseEnv: info?.env ?? [],
            buildArgs: input.buildArgs,
            globalArgs: input.globalArgs,
            escapeToken: df.escapeToken,
          }),
          shell: info?.shell ?? [],
          workdirSet: false,
        };

    // The pulled base must be for the platform this stage asked for.
    if (base.image && info?.platform) {
      const expected = base.platform ?? input.targetPlatform;
      if (expected.os !== info.platform.os || expected.architecture !== info.platform.architecture) {
        lint
          .withComments(commentsOf(stage.from.location.startLine))
          .run(
            RULES.InvalidBaseImagePlatform,
            stage.from.location,
            RULES.InvalidBaseImagePlatform.format(
              base.image,
              formatPlatform(expected),
              formatPlatform(info.platform),
            ),
          );
      }
    }

    const triggers = base.stage
      ? base.stage.instructions.flatMap((i) => (i.kind === 'onbuild' ? [i.expression] : []))
      : (info?.onBuild ?? []);
    const onbuild: Instruction[] = [];
    for (const t of triggers) {
      try {
        onbuild.push(parseOnbuildTrigger(t, stage.from.location));
      } catch {
        // The build reports it.
      }
    }
    const used = new Map<'CMD' | 'ENTRYPOINT' | 'HEALTHCHECK', Location>();
    for (const instr of [...onbuild, ...stage.instructions]) {
      const own = lint.withComments(onbuild.includes(instr) ? [] : commentsOf(instr.location.startLine));
      dispatchOne(instr, state, own, used);
    }
    finished.set(index, state);
  }

  function dispatchOne(
    instr: Instruction,
    state: StageState,
    own: Linter,
    used: Map<'CMD' | 'ENTRYPOINT' | 'HEALTHCHECK', Location>,
  ): void {
    const at = instr.location;
    const scope = state.scope;
    const report = (unmatched: ReadonlySet<string>) => {
      if (unmatched.size === 0) return;
      const declared = new Set(scope.declaredArgs().map((a) => a.name));
      for (const name of unmatched) {
        if (declared.has(name) || NON_ENV_ARGS.has(name)) continue;
        const options = scope.names();
        own.run(RULES.UndefinedVar, at, RULES.UndefinedVar.format(name, suggestName(name, options, true)));
      }
    };
    const expand = (word: string | undefined): string => {
      if (word === undefined || word === '') return word ?? '';
      try {
        const r = lex.process(word, scope);
        report(r.unmatched);
        return r.result;
      } catch {
        return word;
      }
    };
    const expandRaw = (word: string) => {
      try {
        report(rawLex.process(word, scope).unmatched);
      } catch {
        // The build reports it.
      }
    };
    const once = (kind: 'CMD' | 'ENTRYPOINT' | 'HEALTHCHECK') => {
      // Reported at the earlier one: that is the instruction that has no effect.
      const previous = used.get(kind);
      if (previous) {
        own.run(
          RULES.MultipleInstructionsDisallowed,
          previous,
          RULES.MultipleInstructionsDisallowed.format(keyword(instr)),
        );
      }
      used.set(kind, at);
    };

    switch (instr.kind) {
      case 'env':
      case 'label': {
        const name = keyword(instr);
        const pairs = instr.pairs.map((p) => ({ key: expand(p.key), value: expand(p.value) }));
        if (isLegacyKeyValue(instr, df.escapeToken)) {
          own.run(RULES.LegacyKeyValueFormat, at, RULES.LegacyKeyValueFormat.format(name));
        }
        if (instr.kind === 'env') {
          for (const p of pairs) {
            if (isSecretName(p.key))
              own.run(RULES.SecretsUsedInArgOrEnv, at, RULES.SecretsUsedInArgOrEnv.format('ENV', p.key));
          }
          scope.applyEnv(pairs);
        }
        return;
      }
      case 'arg':
        for (const arg of instr.args) {
          if (isSecretName(arg.name))
            own.run(RULES.SecretsUsedInArgOrEnv, at, RULES.SecretsUsedInArgOrEnv.format('ARG', arg.name));
          if (!input.buildArgs.has(arg.name) && arg.defaultValue !== undefined) expand(arg.defaultValue);
          try {
            scope.applyArg({ ...instr, args: [arg] });
          } catch {
            // The build reports it.
          }
        }
        return;
      case 'copy':
      case 'add': {
        expand(instr.chown);
        expand(instr.chmod);
        if (instr.kind === 'add') expand(instr.checksum);
        const sources = instr.sources.map((s) => expand(s));
        expand(instr.dest);
        for (const c of instr.sourceContents) if (c.expand) expandRaw(c.data);
        const fromContext = instr.kind === 'add' || instr.from === undefined;
        if (ignore && !ignore.hasExceptions && fromContext) {
          for (const src of sources) {
            if (instr.kind === 'add' && isUrlOrGit(src)) continue;
            const clean = cleanSource(src);
            if ((clean === '.' || clean === '/') && !ignoresRoot(ignore)) continue;
            if (ignore.matches(clean)) {
              own.run(
                RULES.CopyIgnoredFile,
                at,
                RULES.CopyIgnoredFile.format(instr.kind === 'add' ? 'Add' : 'Copy', clean),
              );
            }
          }
        }
        return;
      }
      case 'workdir': {
        const p = expand(instr.path);
        if (!state.workdirSet && !p.startsWith('/')) {
          own.run(RULES.WorkdirRelativePath, at, RULES.WorkdirRelativePath.format(p));
        }
        state.workdirSet = true;
        return;
      }
      case 'user':
        expand(instr.user);
        return;
      case 'volume':
        for (const v of instr.volumes) expand(v);
        return;
      case 'stopsignal':
        expand(instr.signal);
        return;
      case 'run':
        for (const m of instr.mounts) for (const v of Object.values(m.options)) expand(v);
        return;
      case 'shell':
        state.shell = instr.shell;
        return;
      case 'cmd':
      case 'entrypoint': {
        once(instr.kind === 'cmd' ? 'CMD' : 'ENTRYPOINT');
        if (instr.command.form === 'shell' && state.shell.length === 0) {
          own.run(RULES.JSONArgsRecommended, at, RULES.JSONArgsRecommended.format(keyword(instr)));
        }
        return;
      }
      case 'healthcheck':
        once('HEALTHCHECK');
        return;
      case 'expose':
        for (const written of instr.ports) {
          let ports: string[];
          try {
            ports = lex.processWords(written, scope);
          } catch {
            continue;
          }
          for (const raw of ports) {
            const { ip, hostPort, proto } = splitPort(raw);
            if (proto !== proto.toLowerCase())
              own.run(RULES.ExposeProtoCasing, at, RULES.ExposeProtoCasing.format(raw));
            if (ip !== '' || hostPort !== '')
              own.run(RULES.ExposeInvalidFormat, at, RULES.ExposeInvalidFormat.format(raw));
          }
        }
        return;
      case 'from':
      case 'maintainer':
      case 'onbuild':
        return;
    }
  }
}
