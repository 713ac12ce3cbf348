/**
 * How to execute a RUN the way BuildKit does (dockerfile2llb dispatchRun),
 * heredocs included. The executor then runs:
 *
 * - `exec`:   args as is, no shell (`RUN ["make", "all"]`).
 * - `shell`:  [...shell, script], shell being the stage's SHELL (default
 *   ["/bin/sh", "-c"]). Covers plain shell form and these heredoc forms:
 *   `RUN <<EOF` alone → the body (chomped for `<<-`) is the script;
 *   `RUN python3 <<EOF` (any command line with heredocs) → the script is the
 *   line, then for each heredoc "\n" + body + delimiter, so the shell itself
 *   feeds the bodies (and expands them unless the delimiter was quoted).
 * - `file`:   `RUN <<EOF` alone whose body starts with `#!`: write content to
 *   path (mode 0755) in a mount that is not part of the layer (BuildKit
 *   mounts it read-only at /dev/pipes/), then run [...shell, path].
 *
 * Variables in a `RUN <<EOF` body are never expanded by Kiln: the shell does it.
 */
import type { RunInstruction } from './instructions.js';
export type RunPlan = {
    kind: 'exec';
    args: string[];
} | {
    kind: 'shell';
    script: string;
} | {
    kind: 'file';
    path: string;
    content: string;
    mode: number;
};
/** Where BuildKit mounts the script of a `RUN <<EOF` whose body starts with `#!`. */
export declare const HEREDOC_SCRIPT_DIR = "/dev/pipes/";
export declare function runCommandPlan(run: RunInstruction): RunPlan;
