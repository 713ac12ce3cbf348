/**
 * Ending every process a RUN left behind when there is no PID namespace to
 * take them down: the RUN's own session (Kiln starts it in a new one), and
 * daemons that started their own session during the RUN and were orphaned
 * (their parent chain reaches PID 1 or Kiln). Processes that entered the
 * container from outside (`docker exec`, `kubectl exec`: parent 0) and
 * anything older than the RUN are left alone, as are Kiln's own helpers
 * (Kiln's session).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  sid: number;
  state: string;
  /** Start time in clock ticks after boot. */
  start: number;
}

/** /proc/<pid>/stat's fields after the command name (which may hold spaces and parentheses). */
export function parseStat(text: string): ProcInfo | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  const f = text.slice(close + 2).split(' ');
  // f[0] state, f[1] ppid, f[2] pgrp, f[3] session, … f[19] starttime
  if (f.length < 20 || !Number.isFinite(pid)) return undefined;
  return { pid, state: f[0]!, ppid: Number(f[1]), sid: Number(f[3]), start: Number(f[19]) };
}

export function readProc(pid: number | 'self', procDir = '/proc'): ProcInfo | undefined {
  try {
    return parseStat(readFileSync(`${procDir}/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function listProcs(procDir = '/proc'): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync(procDir)) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name), procDir);
    if (p) out.push(p);
  }
  return out;
}

export interface StrayRule {
  /** The RUN's session (the pid of the process Kiln started). */
  runSid: number;
  /** The RUN's start time (ticks): older processes are never strays. */
  since: number;
  kilnPid: number;
  kilnSid: number;
}

/** The processes to end: the RUN's session, and orphans that started during it. */
export function strays(procs: readonly ProcInfo[], rule: StrayRule): ProcInfo[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const orphaned = (p: ProcInfo): boolean => {
    for (let q: ProcInfo | undefined = p, hops = 0; q && hops < 4096; hops++) {
      if (q.ppid === 1 || q.ppid === rule.kilnPid) return true;
      if (q.ppid === 0) return false;
      q = byPid.get(q.ppid);
    }
    return false;
  };
  return procs.filter(
    (p) =>
      p.pid !== rule.kilnPid &&
      p.pid !== 1 &&
      p.state !== 'Z' &&
      (p.sid === rule.runSid || (p.start >= rule.since && p.sid !== rule.kilnSid && orphaned(p))),
  );
}

/** SIGKILLs the strays until none is left (a daemon may fork while it is killed). Returns how many. */
export async function killStrays(rule: StrayRule, procDir = '/proc'): Promise<number> {
  let killed = 0;
  for (let round = 0; round < 20; round++) {
    const found = strays(listProcs(procDir), rule);
    if (found.length === 0) return killed;
    for (const p of found) {
      try {
        process.kill(p.pid, 'SIGKILL');
        killed++;
      } catch {
        // gone already
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return killed;
}
