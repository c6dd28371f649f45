/** What a result is worth depends on the machine and on what else ran: both go into every results file. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpu: string | undefined;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** `uptime`'s 1, 5 and 15 min load averages: other work on the machine depresses every figure. */
export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = loadavg().map((value) => Number(value.toFixed(2)));
  return [one!, five!, fifteen!];
}

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

/**
 * The fields of /proc/<pid>/stat after the command name (field 3, `state`, first), or undefined when
 * unreadable (not Linux, process gone).
 */
export function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 when unreadable (not Linux, gone). */
export function processCpuSeconds(pid: number): number {
  const fields = procStatFields(pid);
  return fields === undefined ? 0 : (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** Resident set size of another process in bytes, from /proc; 0 when unreadable. */
export function processRssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}
