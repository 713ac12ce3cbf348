import type { RunInstruction, RunMount } from './instructions.js';
/** docker/go-units RAMInBytes: `64m`, `1.5g`, `512KiB`, `1048576` (binary multiples). */
export declare function parseRamSize(text: string): number;
/**
 * Parses one `--mount` value. `expand` (the stage scope) expands every
 * value; without it, fields holding a variable are kept for dispatch.
 */
export declare function parseRunMount(value: string, expand?: (word: string) => string): RunMount;
/** The mount with its variables expanded against the stage's scope (BuildKit expands at dispatch). */
export declare function expandRunMount(m: RunMount, expand: (word: string) => string): RunMount;
/** The typed options of a parsed (and expanded) mount; defaults are applied by the executor. */
export declare function mountOptions(m: RunMount): {
    id?: string;
    sharing?: 'shared' | 'private' | 'locked';
    mode?: number;
    uid?: number;
    gid?: number;
    env?: string;
    sizeBytes?: number;
    required: boolean;
};
export declare function parseNetwork(value: string | undefined): RunInstruction['network'];
export declare function parseSecurity(value: string | undefined): RunInstruction['security'];
