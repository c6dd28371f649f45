/**
 * The reading side of a sustained run: a real `serve` over the run's store and provisional topic, the
 * freshness probe on its provisional feed and, with `--sse N`, N SSE subscribers in a process of their
 * own. In the jobs' process (the default, as measured before), or with `--serve-apart` in a process of
 * its own (load/serve-side-child.ts), as deployed: `serve` never shares the jobs' event loop, so what
 * each side measures is not the other's stalls.
 */
import type { StackEndpoints } from '../stack/endpoints.ts';
import type { JobsRun } from './load-fixture.ts';
import { startLineChild } from './line-child.ts';
import { ProvisionalProbe, type FreshnessMs } from './provisional-probe.ts';
import { ServeProbe } from './serve-probe.ts';
import type { SseResult } from './sse-clients.ts';
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

export async function startServeSideHere(
  endpoints: StackEndpoints,
  run: JobsRun,
  settings: Settings,
  subscribers: number,
): Promise<ServeSide> {
  const probe = run.provisional ? new ProvisionalProbe() : undefined;
  const serve =
    probe !== undefined || subscribers > 0
      ? await ServeProbe.start(
          { endpoints, store: run.store, settings, ...(probe && { onApplied: probe.onApplied }) },
          subscribers,
        )
      : undefined;
  return {
    measure: (on) => {
      if (probe !== undefined) probe.measuring = on;
    },
    stop: async () => {
      const sse = (await serve?.stop()) ?? null;
      return { freshness: probe?.result() ?? null, sse, loopDelayMs: null };
    },
  };
}

export async function startServeSideApart(job: ServeSideJob): Promise<ServeSide> {
  const { id, topicPrefix, run, rawArchive, provisional } = job.run; // not the store: it is rebuilt there
  const argument: ServeSideJob = { ...job, run: { id, topicPrefix, run, rawArchive, provisional } };
  const child = await startLineChild<ServeSideResult>(import.meta.url, 'serve-side-child', argument);
  return {
    measure: (on) => child.send(on ? 'measure' : 'pause'),
    stop: () => child.finish(),
  };
}
