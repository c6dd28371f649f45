/**
 * The reading side of a sustained run: the freshness probe of the provisional topic and, with `--sse N`,
 * a real `serve` with N SSE subscribers. In the jobs' process (the default, as measured before), or
 * with `--serve-apart` in a process of its own (load/serve-side-child.ts), as deployed: `serve` never
 * shares the jobs' event loop, so what each side measures is not the other's stalls.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { StackEndpoints } from '../stack/endpoints.ts';
import type { JobsRun } from './load-fixture.ts';
import { ProvisionalProbe, type FreshnessMs } from './provisional-probe.ts';
import { siblingScriptArgs } from './sibling-script.ts';
import { SseProbe, type SseResult } from './sse-probe.ts';
import type { Settings } from '../processor/runtime/settings.ts';

export interface ServeSideResult {
  freshness: FreshnessMs | null;
  sse: SseResult | null;
  /** The reading side's own event-loop delay p99 / max, ms, when it ran apart; null beside the jobs. */
  loopDelayMs: { p99: number; max: number } | null;
}

export interface ServeSide {
  /** From now on (until stop), messages and events count. */
  measure(on: boolean): void;
  stop(): Promise<ServeSideResult>;
}

/** What the child needs to build the same run (JSON in its argv). */
export interface ServeSideJob {
  endpoints: StackEndpoints;
  run: Pick<JobsRun, 'id' | 'topicPrefix' | 'run' | 'rawArchive' | 'provisional'>;
  idleTimeout: string;
  subscribers: number;
}

/** Lines the child writes on stdout. */
export type ServeSideLine = { ready: true } | { result: ServeSideResult };

export async function startServeSideHere(
  endpoints: StackEndpoints,
  run: JobsRun,
  settings: Settings,
  subscribers: number,
): Promise<ServeSide> {
  const probe = run.provisional ? new ProvisionalProbe(endpoints, run.topicPrefix) : undefined;
  const sse =
    subscribers > 0
      ? await SseProbe.start({ endpoints, store: run.store, settings }, subscribers)
      : undefined;
  return {
    measure: (on) => {
      if (probe !== undefined) probe.measuring = on;
    },
    stop: async () => ({
      freshness: (await probe?.stop()) ?? null,
      sse: (await sse?.stop()) ?? null,
      loopDelayMs: null,
    }),
  };
}

const READY_TIMEOUT_MS = 120_000;

export async function startServeSideApart(job: ServeSideJob): Promise<ServeSide> {
  const script = siblingScriptArgs(import.meta.url, 'serve-side-child');
  const { id, topicPrefix, run, rawArchive, provisional } = job.run; // not the store: it is rebuilt there
  const argument: ServeSideJob = { ...job, run: { id, topicPrefix, run, rawArchive, provisional } };
  const child = spawn(process.execPath, [...script, JSON.stringify(argument)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  let result: ServeSideResult | undefined;
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: ServeSideLine;
    try {
      line = JSON.parse(text) as ServeSideLine;
    } catch {
      process.stderr.write(`[serve side] ${text}\n`);
      return;
    }
    if ('ready' in line) ready();
    else result = line.result;
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('serve side: not ready in time')), READY_TIMEOUT_MS).unref(),
  );
  const failed = exited.then((code) => {
    throw new Error(`serve side exited with ${code} before it was ready`);
  });
  await Promise.race([started, timeout, failed]);
  failed.catch(() => undefined);
  return {
    measure: (on) => child.stdin!.write(on ? 'measure\n' : 'pause\n'),
    stop: async () => {
      child.stdin!.end('stop\n');
      const code = await exited;
      if (result === undefined) throw new Error(`serve side exited with ${code} without a result`);
      return result;
    },
  };
}
