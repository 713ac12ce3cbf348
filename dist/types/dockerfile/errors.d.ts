/**
 * Errors of the Dockerfile front end. Every error a user can cause names the
 * file and the line: `Dockerfile:12: unknown instruction "FOO"`. The action
 * turns `file`, `line` and `endLine` into an annotation on that line.
 */
/** Where an instruction (or a .dockerignore pattern) lives in its file. */
export interface Location {
    file: string;
    /** 1-based, the first line of the instruction. */
    startLine: number;
    /** 1-based, the last line (continuations and heredoc bodies included). */
    endLine: number;
}
export declare class DockerfileError extends Error {
    name: string;
    /** The error without the `file:line: ` prefix. */
    readonly detail: string;
    readonly file: string;
    /** 1-based line; undefined when the error is about the file as a whole (e.g. an unknown --target). */
    readonly line: number | undefined;
    readonly endLine: number | undefined;
    constructor(file: string, line: number | undefined, detail: string, endLine?: number);
    static at(location: Location, detail: string): DockerfileError;
}
/**
 * A problem found while expanding a shell word; carries no location. The
 * caller that knows the instruction wraps it into a DockerfileError.
 */
export declare class ShellWordError extends Error {
    name: string;
}
/** Runs fn; turns a ShellWordError (or any plain Error) into a DockerfileError at location. */
export declare function atLocation<T>(location: Location, fn: () => T): T;
