/**
 * Measuring one build: wall time (monotonic clock), CPU time (user+sys of
 * the process tree: GNU time counts every waited-for descendant) and peak
 * RSS (GNU time's maximum resident set of the largest single process of the
 * tree). For a daemon (dockerd), CPU comes from a cpuacct cgroup holding it
 * and its children, and peak RSS from the daemons' VmHWM, reset before the
 * build through /proc/PID/clear_refs.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './sh.mjs';

let counter = 0;

export async function timed(argv, { env, cwd, log, tmp }) {
  const out = join(tmp, `time-${process.pid}-${++counter}.txt`);
  const t0 = process.hrtime.bigint();
  try {
    await run(['/usr/bin/time', '-f', '%e %U %S %M', '-o', out, ...argv], { env, cwd, log });
  } finally {
    if (log && existsSync(out)) writeFileSync(log, `\n[time] ${readFileSync(out, 'utf8')}`, { flag: 'a' });
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const last = readFileSync(out, 'utf8').trim().split('\n').pop() ?? '';
  const [, u, s, m] = last.split(' ').map(Number);
  if (![u, s, m].every(Number.isFinite)) throw new Error(`cannot read GNU time output: ${last}`);
  return { wall, cpu: u + s, rssMiB: m / 1024 };
}

/** A cpuacct (cgroup v1) group: put a daemon in it, read its CPU nanoseconds. */
export class CpuGroup {
  constructor(name) {
    this.dir = join('/sys/fs/cgroup/cpuacct', name);
  }

  static available() {
    return existsSync('/sys/fs/cgroup/cpuacct/cgroup.procs');
  }

  create() {
    mkdirSync(this.dir, { recursive: true });
    return this;
  }

  get procsFile() {
    return join(this.dir, 'cgroup.procs');
  }

  usageSeconds() {
    return Number(readFileSync(join(this.dir, 'cpuacct.usage'), 'utf8').trim()) / 1e9;
  }

  pids() {
    return readFileSync(this.procsFile, 'utf8').split('\n').filter(Boolean).map(Number);
  }

  /** Resets the peak RSS of every process in the group. */
  resetPeaks() {
    for (const pid of this.pids()) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // gone
      }
    }
  }

  /** Largest VmHWM (MiB) among the processes in the group. */
  peakMiB() {
    let max = 0;
    for (const pid of this.pids()) {
      try {
        const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) max = Math.max(max, Number(m[1]) / 1024);
      } catch {
        // gone
      }
    }
    return max;
  }

  remove() {
    try {
      rmdirSync(this.dir);
    } catch {
      // still has processes, or gone
    }
  }
}

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
