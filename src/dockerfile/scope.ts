/**
 * The ARG/ENV scope of a stage during dispatch, with BuildKit's semantics
 * (dockerfile2llb dispatchArg/dispatchEnv):
 *
 * - A stage starts from its base image's config Env (plus a default PATH
 *   when the base has none, as BuildKit adds it to the image config too), or
 *   from a copy of the scope of the earlier stage it is built FROM.
 * - `ARG name=default`: a --build-arg of that name wins, else the default
 *   (expanded in the current scope). A bare `ARG name` takes the build arg,
 *   else the global value (a meta ARG before the first FROM, or a predefined
 *   platform ARG), else it stays unset.
 * - ARG and ENV values live in one environment, in instruction order: the
 *   later one wins. So ENV after ARG shadows the ARG; an ARG with a value
 *   after an ENV of the same name overrides it for later expansions and
 *   RUNs (but never the image config). The image config gets ENV only.
 * - Proxy build args (HTTP_PROXY, https_proxy, NO_PROXY, ...) reach RUN
 *   without any ARG and stay out of the history.
 * - Expansion is bounded: a word 1 MiB (shell-lex.ts), and everything the
 *   meta ARGs, or one stage (with the stage it is built FROM), expand 64 MiB
 *   in all; past that the instruction's line gets an error.
 */
import { atLocation } from './errors.js';
import type { ArgInstruction, KeyValue } from './instructions.js';
import { type EnvLookup, type EscapeToken, ExpansionBudget, ShellLex } from './shell-lex.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What the expansions of the meta ARGs, or of one stage, may produce in all. */
export const MAX_SCOPE_EXPANSION = 64 << 20;

/** Build args that reach RUN without an ARG (names compared case-insensitively). */
export const PROXY_ARG_NAMES = ['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy'] as const;

export function isProxyArg(name: string): boolean {
  return (PROXY_ARG_NAMES as readonly string[]).includes(name.toLowerCase());
}

/** `KEY=VALUE` → [KEY, VALUE]; a bare KEY has an empty value. */
export function splitEnv(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

/**
 * The global ARG values: the predefined platform ARGs, then the meta ARGs
 * (before the first FROM) in order. A build arg wins over a default; an
 * ARG with neither stays unset.
 */
export function resolveGlobalArgs(
  metaArgs: readonly ArgInstruction[],
  buildArgs: ReadonlyMap<string, string>,
  predefined: ReadonlyMap<string, string>,
  escapeToken: EscapeToken,
): Map<string, string> {
  const globals = new Map(predefined);
  const lex = new ShellLex(escapeToken, { budget: new ExpansionBudget(MAX_SCOPE_EXPANSION) });
  for (const instr of metaArgs) {
    for (const arg of instr.args) {
      const given = buildArgs.get(arg.name);
      if (given !== undefined) globals.set(arg.name, given);
      else if (arg.defaultValue !== undefined) {
        const d = arg.defaultValue;
        globals.set(
          arg.name,
          atLocation(instr.location, () => lex.processWord(d, globals)),
        );
      }
    }
  }
  return globals;
}

export interface ScopeOptions {
  /** The base image config's Env list (`KEY=VALUE`). */
  baseEnv: readonly string[];
  buildArgs: ReadonlyMap<string, string>;
  /** Predefined platform ARGs and meta ARGs, as resolved by planStages (plan.globalArgs). */
  globalArgs: ReadonlyMap<string, string>;
  escapeToken: EscapeToken;
}

/** An ARG declared in the stage, with the value it got (undefined: declared, unset). */
export interface DeclaredArg {
  name: string;
  value?: string;
}

export class StageScope implements EnvLookup {
  private readonly lex: ShellLex;
  private readonly rawLex: ShellLex;

  private constructor(
    private readonly opts: ScopeOptions,
    /** What expansions and RUN see: config env, then ENV and ARG values, later wins. */
    private readonly env: Map<string, string>,
    /** The image config's Env, in order (duplicates of the base kept). */
    private readonly config: [string, string][],
    private readonly args: DeclaredArg[],
    private readonly budget: ExpansionBudget,
  ) {
    this.lex = new ShellLex(opts.escapeToken, { budget });
    this.rawLex = new ShellLex('\\', { skipProcessQuotes: true, budget });
  }

  /** The scope at the start of a stage built on an image (or scratch: baseEnv []). */
  static forImage(opts: ScopeOptions): StageScope {
    const config = opts.baseEnv.map(splitEnv);
    if (!config.some(([k]) => k === 'PATH')) config.push(['PATH', DEFAULT_PATH]);
    return new StageScope(opts, new Map(config), config, [], new ExpansionBudget(MAX_SCOPE_EXPANSION));
  }

  /**
   * The scope at the start of a stage built FROM this (finished) stage: ENV,
   * ARGs and what was expanded carry over. `globalArgs`: the global values later ARGs get, when
   * they differ from this stage's (a stage shared by the builds of several
   * target platforms, continued for one of them).
   */
  clone(globalArgs?: ReadonlyMap<string, string>): StageScope {
    return new StageScope(
      globalArgs ? { ...this.opts, globalArgs } : this.opts,
      new Map(this.env),
      this.config.map(([k, v]) => [k, v]),
      this.args.map((a) => ({ ...a })),
      this.budget.copy(),
    );
  }

  get(name: string): string | undefined {
    return this.env.get(name);
  }

  /** The names set in the scope (config env, ENV, ARG values), in the order they were first set. */
  names(): string[] {
    return [...this.env.keys()];
  }

  /** The word expanded, quotes removed (throws ShellWordError; expandInstruction adds the line). */
  expand(word: string): string {
    return this.lex.processWord(word, this.env);
  }

  /** The word expanded and split into words (EXPOSE). */
  expandWords(word: string): string[] {
    return this.lex.processWords(word, this.env);
  }

  /** Expansion of a COPY/ADD heredoc body: `$` only, quotes kept, `\` escapes. */
  expandRaw(word: string): string {
    return this.rawLex.processWord(word, this.env);
  }

  /** ENV with pairs already expanded (expandInstruction): the image config and the scope. */
  applyEnv(pairs: readonly KeyValue[]): void {
    for (const { key, value } of pairs) {
      this.env.set(key, value);
      const i = this.config.findIndex(([k]) => k === key);
      if (i >= 0) this.config[i] = [key, value];
      else this.config.push([key, value]);
    }
  }

  /** ARG (not expanded beforehand: a default is only expanded when no build arg replaces it). */
  applyArg(instr: ArgInstruction): void {
    for (const arg of instr.args) {
      const given = this.opts.buildArgs.get(arg.name);
      let value: string | undefined;
      if (given !== undefined) value = given;
      else if (arg.defaultValue !== undefined) {
        const d = arg.defaultValue;
        value = atLocation(instr.location, () => this.expand(d));
      } else value = this.opts.globalArgs.get(arg.name);
      if (value !== undefined) this.env.set(arg.name, value);
      this.args.push(value === undefined ? { name: arg.name } : { name: arg.name, value });
    }
  }

  /** The image config's Env: the base's, plus PATH if it had none, plus every ENV. */
  configEnv(): string[] {
    return this.config.map(([k, v]) => `${k}=${v}`);
  }

  /** The environment of a RUN: config env, ENV and ARG values (later wins), then proxy build args. */
  runEnvironment(): string[] {
    const out = [...this.env].map(([k, v]) => `${k}=${v}`);
    // Like BuildKit: names compared case-insensitively, sorted keys, the last one wins.
    const proxies = new Map<string, string>();
    for (const name of [...this.opts.buildArgs.keys()].sort()) {
      if (isProxyArg(name)) proxies.set(name.toLowerCase(), this.opts.buildArgs.get(name)!);
    }
    for (const [lower, value] of proxies) {
      for (const n of [lower.toUpperCase(), lower]) {
        if (!this.env.has(n)) out.push(`${n}=${value}`);
      }
    }
    return out;
  }

  /** ARGs declared so far in this stage (and the stage it is built FROM), in order. */
  declaredArgs(): DeclaredArg[] {
    return this.args.map((a) => ({ ...a }));
  }

  /**
   * `KEY=VALUE` of the declared ARGs for BuildKit's RUN history entry
   * (`RUN |2 A=1 B=2 /bin/sh -c ...`): one per name, first position, value
   * as the RUN sees it. Undeclared proxy args never appear.
   */
  historyArgs(): string[] {
    const order: string[] = [];
    const values = new Map<string, string>();
    for (const a of this.args) {
      if (!values.has(a.name)) order.push(a.name);
      values.set(a.name, this.env.get(a.name) ?? a.value ?? '');
    }
    return order.map((k) => `${k}=${values.get(k)}`);
  }
}
