/**
 * parseDockerfile(): text → directives, nodes, typed instructions grouped in
 * stages, and the meta ARGs before the first FROM. parseInstruction() types a
 * single instruction line (ONBUILD triggers stored in a base image's config).
 */
import { type Location } from './errors.js';
import type { ArgInstruction, FromInstruction, Instruction } from './instructions.js';
import { type Directive, type Node } from './parser.js';
import type { EscapeToken } from './shell-lex.js';
import type { DockerfileSyntax, SyntaxOptions } from './syntax.js';
export interface Stage {
    /** 0-based position among the stages (what `COPY --from=1` refers to). */
    index: number;
    /** `FROM ... AS name`, lower-case. */
    name?: string;
    from: FromInstruction;
    /** The instructions after FROM, in order. */
    instructions: Instruction[];
}
export interface ParsedDockerfile {
    file: string;
    escapeToken: EscapeToken;
    directives: Directive[];
    /** The syntax version the `# syntax=` directive selects (the newest without one). */
    syntax: DockerfileSyntax;
    nodes: Node[];
    /** ARG instructions before the first FROM: usable in FROM lines, and in stages after a bare `ARG name`. */
    metaArgs: ArgInstruction[];
    stages: Stage[];
}
/**
 * Parses and types a Dockerfile. `file` is the name used in messages
 * (`Dockerfile:12: ...`). Throws DockerfileError.
 */
export declare function parseDockerfile(text: string, file: string, opts?: SyntaxOptions): ParsedDockerfile;
/**
 * Parses one instruction (it may span lines: continuations, heredoc bodies).
 * With `at`, errors and the instruction's location point there instead (for
 * ONBUILD triggers: the FROM line of the stage that runs them, like BuildKit).
 */
export declare function parseInstruction(text: string, file: string, at?: Location): Instruction;
/** Types an ONBUILD trigger from a base image's config (or an earlier stage) to run at `at`. */
export declare function parseOnbuildTrigger(expression: string, at: Location): Instruction;
