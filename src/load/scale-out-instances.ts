/**
 * `speed-layer run <job>` instances as separate processes for the scale-out scenario: each one's JSON log
 * lines that say what the protocol did (checkpoints, ownership changes, fences, failures), its /metrics,
 * its CPU and RSS from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { processCpuSeconds, processRssBytes } from './machine.ts';

const BIN = new URL('../../bin/speed-layer.js', import.meta.url).pathname;
/** The log lines kept (a 16-instance run logs thousands of others). */
const KEPT = new Set(['checkpoint', 'partitions adopted', 'partitions revoked', 'jobs started', 'stopped']);

/** One pino JSON line: `time` in epoch ms, `msg`, the logged fields. */
export interface LogLine {
  time: number;
  msg: string;
  level?: number;
  [field: string]: unknown;
}

export class Instance {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  /** CPU seconds of the process when last read (a process that ended keeps its last). */
  private cpuS = 0;

  constructor(
    readonly name: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    for (const stream of [this.child.stdout!, this.child.stderr!])
      createInterface({ input: stream }).on('line', (text) => this.take(text));
  }

  private take(text: string): void {
    if (!text.startsWith('{')) return;
    try {
      const line = JSON.parse(text) as LogLine;
      // Warnings and errors too: fences, failures, restarts.
      if (KEPT.has(line.msg) || (line.level ?? 0) >= 40) this.lines.push(line);
    } catch {
      // not a log line
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** `http://127.0.0.1:<port>` once the `jobs started` line is out. */
  get httpUrl(): string | undefined {
    return this.lines.find((line) => line.msg === 'jobs started')?.http as string | undefined;
  }

  /** The partitions it owns now, by its ownership lines (`lms.auth:3`). */
  owned(): Set<string> {
    const owned = new Set<string>();
    for (const line of this.lines) {
      if (line.msg === 'partitions adopted')
        for (const where of line.partitions as string[]) owned.add(where.slice(0, where.lastIndexOf('@')));
      else if (line.msg === 'partitions revoked')
        for (const partition of line.partitions as string[]) owned.delete(partition);
    }
    return owned;
  }

  /** When its ownership last changed (-Infinity: never). */
  lastChangeMs(): number {
    const changes = this.lines.filter(
      (l) => l.msg === 'partitions adopted' || l.msg === 'partitions revoked',
    );
    return changes.at(-1)?.time ?? -Infinity;
  }

  checkpoints(fromMs = -Infinity, toMs = Infinity): LogLine[] {
    return this.lines.filter((l) => l.msg === 'checkpoint' && l.time >= fromMs && l.time < toMs);
  }

  /** Its first checkpoint at or after `fromMs`, or undefined. */
  firstCheckpointAfter(fromMs: number): number | undefined {
    return this.lines.find((l) => l.msg === 'checkpoint' && l.time >= fromMs)?.time;
  }

  /** Lines at level warn or above (fences, failures) in [fromMs, toMs). */
  problems(fromMs = -Infinity, toMs = Infinity): LogLine[] {
    return this.lines.filter((l) => (l.level ?? 0) >= 40 && l.time >= fromMs && l.time < toMs);
  }

  cpuSeconds(): number {
    if (this.running) this.cpuS = processCpuSeconds(this.pid);
    return this.cpuS;
  }

  rssBytes(): number {
    return this.running ? processRssBytes(this.pid) : 0;
  }

  /** The sum of each Prometheus series `name` per value of `label`, from its /metrics now. */
  async metric(name: string, label?: string): Promise<Map<string, number>> {
    const url = this.httpUrl;
    if (url === undefined) throw new Error(`instance ${this.name} has no HTTP endpoint yet`);
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
    const sums = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (!(line.startsWith(`${name} `) || line.startsWith(`${name}{`))) continue;
      const key = label === undefined ? '' : (new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? '');
      sums.set(key, (sums.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
    return sums;
  }

  /** SIGTERM (a graceful leave: commit, leave the group); resolves when it has exited. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(kill);
  }
}

/**
 * True when the instances own every one of `partitions` between them, each at least one, and each has
 * logged `commits` checkpoints since its last change of ownership: the group is stable and committing.
 */
export function stable(instances: readonly Instance[], partitions: number, commits = 2): boolean {
  const owned = instances.map((instance) => instance.owned());
  const total = owned.reduce((sum, set) => sum + set.size, 0);
  return (
    new Set(owned.flatMap((set) => [...set])).size === partitions &&
    total === partitions &&
    owned.every((set) => set.size > 0) &&
    instances.every((instance) => instance.checkpoints(instance.lastChangeMs()).length >= commits)
  );
}

/**
 * How a rebalance went, read from the instances' logs once it is over: `fromMs` (the event, or the first
 * change of ownership after `sinceMs`) to the time every instance whose ownership changed has committed
 * again (its first checkpoint after its last change).
 */
export function rebalanceEndMs(instances: readonly Instance[], sinceMs: number): number {
  let endMs = sinceMs;
  for (const instance of instances) {
    const changedMs = instance.lastChangeMs();
    if (changedMs < sinceMs) continue;
    endMs = Math.max(endMs, instance.firstCheckpointAfter(changedMs) ?? Infinity);
  }
  return endMs;
}

/** The first change of ownership at or after `sinceMs` in any instance (when the group really moved). */
export function firstChangeMs(instances: readonly Instance[], sinceMs: number): number {
  const times = instances.flatMap((instance) =>
    instance.lines
      .filter((l) => (l.msg === 'partitions adopted' || l.msg === 'partitions revoked') && l.time >= sinceMs)
      .map((l) => l.time),
  );
  return Math.min(...times);
}
