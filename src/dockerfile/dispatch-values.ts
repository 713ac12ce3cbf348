/**
 * Checks BuildKit makes at dispatch on expanded values, as functions of the
 * expanded instruction that return what goes into the image config. Errors
 * name the instruction's line.
 */
import { posix } from 'node:path';
import { DockerfileError } from './errors.js';
import type {
  ExposeInstruction,
  StopsignalInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from './instructions.js';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

function parsePort(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

/**
 * EXPOSE (expanded) → the config's ExposedPorts keys (`80/tcp`), sorted and
 * unique. Accepts `80`, `80/udp`, `8000-8002/tcp` and, like Docker,
 * `[ip:]hostPort:containerPort` (only the container port counts).
 */
export function exposedPorts(instr: ExposeInstruction): string[] {
  const keys = new Set<string>();
  for (const raw of instr.ports) {
    const parts = raw.split(':');
    const container = parts[parts.length - 1]!;
    const slash = container.split('/');
    const port = slash[0]!;
    const proto = (slash.length > 1 && slash[1] !== '' ? slash[1]! : 'tcp').toLowerCase();
    if (port === '') throw DockerfileError.at(instr.location, `EXPOSE ${raw}: no port specified`);
    const dash = port.indexOf('-');
    const start = parsePort(dash < 0 ? port : port.slice(0, dash));
    const end = dash < 0 ? start : parsePort(port.slice(dash + 1));
    if (start === undefined || end === undefined) {
      throw DockerfileError.at(instr.location, `EXPOSE ${raw}: invalid containerPort: ${port}`);
    }
    if (end < start)
      throw DockerfileError.at(instr.location, `EXPOSE ${raw}: invalid range specified for port: ${port}`);
    if (!PROTOCOLS.has(proto)) {
      throw DockerfileError.at(
        instr.location,
        `EXPOSE ${raw}: invalid proto: ${slash[1]} (use tcp, udp or sctp)`,
      );
    }
    for (let p = start; p <= end; p++) keys.add(`${p}/${proto}`);
  }
  return [...keys].sort();
}

const SIGNALS = new Set([
  'ABRT',
  'ALRM',
  'BUS',
  'CHLD',
  'CLD',
  'CONT',
  'FPE',
  'HUP',
  'ILL',
  'INT',
  'IO',
  'IOT',
  'KILL',
  'PIPE',
  'POLL',
  'PROF',
  'PWR',
  'QUIT',
  'SEGV',
  'STKFLT',
  'STOP',
  'SYS',
  'TERM',
  'TRAP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'USR1',
  'USR2',
  'VTALRM',
  'WINCH',
  'XCPU',
  'XFSZ',
  'RTMIN',
  'RTMAX',
  ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `RTMAX-${i + 1}`),
]);

/** STOPSIGNAL (expanded): a signal name (with or without SIG) or a non-zero number, as written. */
export function stopSignal(instr: StopsignalInstruction): string {
  const s = instr.signal;
  if (/^[+-]?\d+$/.test(s) ? Number(s) !== 0 : SIGNALS.has(s.toUpperCase().replace(/^SIG/, ''))) return s;
  throw DockerfileError.at(instr.location, `invalid signal: ${s} (use a name such as SIGTERM or a number)`);
}

/** VOLUME (expanded): the paths; an empty one is an error. */
export function volumes(instr: VolumeInstruction): string[] {
  if (instr.volumes.some((v) => v === '')) {
    throw DockerfileError.at(instr.location, 'VOLUME specified can not be an empty string');
  }
  return instr.volumes;
}

/** WORKDIR (expanded) relative to the current working directory (`''` = `/`): the new WorkingDir. */
export function workdir(current: string, instr: WorkdirInstruction): string {
  if (instr.path === '') throw DockerfileError.at(instr.location, 'WORKDIR cannot be empty');
  if (instr.path.startsWith('/')) return instr.path;
  const joined = posix.join('/', current, instr.path);
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}
