import type { ArgInstruction, KeyValue } from './instructions.js';
import { type EnvLookup, type EscapeToken } from './shell-lex.js';
export declare const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** What the expansions of the meta ARGs, or of one stage, may produce in all. */
export declare const MAX_SCOPE_EXPANSION: number;
/** Build args that reach RUN without an ARG (names compared case-insensitively). */
export declare const PROXY_ARG_NAMES: readonly ["http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy"];
export declare function isProxyArg(name: string): boolean;
/** `KEY=VALUE` → [KEY, VALUE]; a bare KEY has an empty value. */
export declare function splitEnv(entry: string): [string, string];
/**
 * The global ARG values: the predefined platform ARGs, then the meta ARGs
 * (before the first FROM) in order. A build arg wins over a default; an
 * ARG with neither stays unset.
 */
export declare function resolveGlobalArgs(metaArgs: readonly ArgInstruction[], buildArgs: ReadonlyMap<string, string>, predefined: ReadonlyMap<string, string>, escapeToken: EscapeToken): Map<string, string>;
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
export declare class StageScope implements EnvLookup {
    private readonly opts;
    /** What expansions and RUN see: config env, then ENV and ARG values, later wins. */
    private readonly env;
    /** The image config's Env, in order (duplicates of the base kept). */
    private readonly config;
    private readonly args;
    private readonly budget;
    private readonly lex;
    private readonly rawLex;
    private constructor();
    /** The scope at the start of a stage built on an image (or scratch: baseEnv []). */
    static forImage(opts: ScopeOptions): StageScope;
    /**
     * The scope at the start of a stage built FROM this (finished) stage: ENV,
     * ARGs and what was expanded carry over. `globalArgs`: the global values later ARGs get, when
     * they differ from this stage's (a stage shared by the builds of several
     * target platforms, continued for one of them).
     */
    clone(globalArgs?: ReadonlyMap<string, string>): StageScope;
    get(name: string): string | undefined;
    /** The names set in the scope (config env, ENV, ARG values), in the order they were first set. */
    names(): string[];
    /** The word expanded, quotes removed (throws ShellWordError; expandInstruction adds the line). */
    expand(word: string): string;
    /** The word expanded and split into words (EXPOSE). */
    expandWords(word: string): string[];
    /** Expansion of a COPY/ADD heredoc body: `$` only, quotes kept, `\` escapes. */
    expandRaw(word: string): string;
    /** ENV with pairs already expanded (expandInstruction): the image config and the scope. */
    applyEnv(pairs: readonly KeyValue[]): void;
    /** ARG (not expanded beforehand: a default is only expanded when no build arg replaces it). */
    applyArg(instr: ArgInstruction): void;
    /** The image config's Env: the base's, plus PATH if it had none, plus every ENV. */
    configEnv(): string[];
    /** The environment of a RUN: config env, ENV and ARG values (later wins), then proxy build args. */
    runEnvironment(): string[];
    /** ARGs declared so far in this stage (and the stage it is built FROM), in order. */
    declaredArgs(): DeclaredArg[];
    /**
     * `KEY=VALUE` of the declared ARGs for BuildKit's RUN history entry
     * (`RUN |2 A=1 B=2 /bin/sh -c ...`): one per name, first position, value
     * as the RUN sees it. Undeclared proxy args never appear.
     */
    historyArgs(): string[];
}
