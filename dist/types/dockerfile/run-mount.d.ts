/** `RUN --mount=...`, `--network=...`, `--security=...`: parsed and checked like BuildKit. */
import type { RunInstruction, RunMount } from './instructions.js';
export declare function parseRunMount(value: string): RunMount;
export declare function parseNetwork(value: string | undefined): RunInstruction['network'];
export declare function parseSecurity(value: string | undefined): RunInstruction['security'];
