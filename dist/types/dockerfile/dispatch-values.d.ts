import type { ExposeInstruction, StopsignalInstruction, VolumeInstruction, WorkdirInstruction } from './instructions.js';
/**
 * EXPOSE (expanded) → the config's ExposedPorts keys (`80/tcp`), sorted and
 * unique. Accepts `80`, `80/udp`, `8000-8002/tcp` and, like Docker,
 * `[ip:]hostPort:containerPort` (only the container port counts).
 */
export declare function exposedPorts(instr: ExposeInstruction): string[];
/** STOPSIGNAL (expanded): a signal name (with or without SIG) or a non-zero number, as written. */
export declare function stopSignal(instr: StopsignalInstruction): string;
/** VOLUME (expanded): the paths; an empty one is an error. */
export declare function volumes(instr: VolumeInstruction): string[];
/** WORKDIR (expanded) relative to the current working directory (`''` = `/`): the new WorkingDir. */
export declare function workdir(current: string, instr: WorkdirInstruction): string;
