/**
 * The typed Dockerfile instructions: a discriminated union on `kind`. Values
 * are as written (quotes included, variables not expanded): expansion happens
 * at dispatch against the stage's ARG/ENV scope (see expand.ts, scope.ts).
 */
import type { HealthConfig } from '../image/manifest.js';
import type { Location } from './errors.js';
import type { Heredoc } from './parser.js';
interface Base {
    location: Location;
    /** The instruction as written on its (joined) line, trimmed; heredoc bodies not included. */
    original: string;
}
/** Shell form (`RUN make all`) runs through the stage's SHELL; exec form (`RUN ["make","all"]`) does not. */
export type CommandLine = {
    form: 'shell';
    command: string;
} | {
    form: 'exec';
    args: string[];
};
export interface KeyValue {
    key: string;
    value: string;
}
export interface FromInstruction extends Base {
    kind: 'from';
    /** The base as written: an image reference, `scratch` or an earlier stage's name; may contain $ARGs. */
    image: string;
    /** `AS name`, lower-cased. */
    stageName?: string;
    /** `--platform=`, as written (may contain $ARGs such as $BUILDPLATFORM). */
    platform?: string;
}
/** `--mount=type=...,target=...` of RUN (see run-mount.ts). */
export interface RunMount {
    type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
    target?: string;
    source?: string;
    /** Stage name, stage index or image the mount reads from. */
    from?: string;
    readonly: boolean;
    /** Every key=value given, as written (`required` alone as required=true). */
    options: Record<string, string>;
    /** The `--mount` value when a field uses a variable: parsed again at dispatch (expandRunMount). */
    raw?: string;
}
export interface RunInstruction extends Base {
    kind: 'run';
    /**
     * The command. With heredocs the command is always shell form and is the
     * whole line after the flags (e.g. `<<EOF` or `python3 <<EOF`); see
     * runCommandPlan() for how to execute it.
     */
    command: CommandLine;
    heredocs: Heredoc[];
    network?: 'default' | 'none' | 'host';
    mounts: RunMount[];
    security?: 'sandbox' | 'insecure';
}
export interface CmdInstruction extends Base {
    kind: 'cmd';
    command: CommandLine;
}
export interface EntrypointInstruction extends Base {
    kind: 'entrypoint';
    /** Exec form with no arguments (`ENTRYPOINT []`) clears the entrypoint. */
    command: CommandLine;
}
export interface ShellInstruction extends Base {
    kind: 'shell';
    shell: string[];
}
export interface LabelInstruction extends Base {
    kind: 'label';
    pairs: KeyValue[];
}
export interface EnvInstruction extends Base {
    kind: 'env';
    pairs: KeyValue[];
}
export interface ArgDeclaration {
    name: string;
    /** `ARG name=default`; absent for a bare `ARG name`. */
    defaultValue?: string;
}
export interface ArgInstruction extends Base {
    kind: 'arg';
    args: ArgDeclaration[];
}
export interface ExposeInstruction extends Base {
    kind: 'expose';
    /** As written, sorted (BuildKit sorts before expansion); expansion may split them further. */
    ports: string[];
}
/** A heredoc used as a COPY/ADD source: a file named `path` with this content. */
export interface SourceContent {
    /** The heredoc delimiter: the name of the file created in the destination. */
    path: string;
    /** The body, already chomped for `<<-`. */
    data: string;
    /** Expand variables in data at dispatch (unquoted delimiter). */
    expand: boolean;
}
interface CopyLike extends Base {
    /** Source paths as written (heredoc sources are in sourceContents instead). */
    sources: string[];
    sourceContents: SourceContent[];
    dest: string;
    chown?: string;
    chmod?: string;
    link: boolean;
    /** `--exclude=` patterns, in order. */
    exclude: string[];
}
export interface CopyInstruction extends CopyLike {
    kind: 'copy';
    /** `--from=`: a stage name, a stage index or an image reference; never expanded (BuildKit). */
    from?: string;
    parents: boolean;
}
export interface AddInstruction extends CopyLike {
    kind: 'add';
    /** `--checksum=sha256:...` for remote sources. */
    checksum?: string;
    keepGitDir: boolean;
    /** `--unpack=true|false`; undefined: unpack local archives, not remote ones (the default). */
    unpack?: boolean;
}
export interface MaintainerInstruction extends Base {
    kind: 'maintainer';
    maintainer: string;
}
export interface UserInstruction extends Base {
    kind: 'user';
    user: string;
}
export interface WorkdirInstruction extends Base {
    kind: 'workdir';
    path: string;
}
export interface VolumeInstruction extends Base {
    kind: 'volume';
    volumes: string[];
}
export interface StopsignalInstruction extends Base {
    kind: 'stopsignal';
    signal: string;
}
export interface HealthcheckInstruction extends Base {
    kind: 'healthcheck';
    /**
     * The image config's Healthcheck: `{Test: ["NONE"]}` for HEALTHCHECK NONE,
     * else Test `["CMD-SHELL", cmd]` or `["CMD", ...args]` and durations in nanoseconds.
     */
    health: HealthConfig;
}
export interface OnbuildInstruction extends Base {
    kind: 'onbuild';
    /**
     * The trigger as stored in the image config's OnBuild list: the line
     * without `ONBUILD `, plus `\n<body><name>` for each heredoc. Typed when it
     * fires, with parseInstruction().
     */
    expression: string;
    /** The trigger's instruction name, upper-case (RUN, COPY, ...). */
    trigger: string;
}
export type Instruction = FromInstruction | RunInstruction | CmdInstruction | EntrypointInstruction | ShellInstruction | LabelInstruction | EnvInstruction | ArgInstruction | ExposeInstruction | CopyInstruction | AddInstruction | MaintainerInstruction | UserInstruction | WorkdirInstruction | VolumeInstruction | StopsignalInstruction | HealthcheckInstruction | OnbuildInstruction;
export type InstructionKind = Instruction['kind'];
/** The instruction names Kiln knows, lower-case. */
export declare const INSTRUCTION_KINDS: readonly InstructionKind[];
/** For exhaustive switches: `default: return assertNever(instr)`. */
export declare function assertNever(x: never): never;
export {};
