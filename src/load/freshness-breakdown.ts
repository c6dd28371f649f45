/**
 * Where the freshness of provisional rows goes, per message a reader applied: the record's timestamp
 * (the generator's produce request) → the job took the changes holding it (`as_of`) → the publisher's
 * produce request (the message's timestamp) → the reader got it → it answers. `roundGapMs` is the time
 * since the same partition's previous message: a record taken late by the round spacing waits at most
 * that long after the job read it; what `recordToTakeMs` holds beyond it the job spent reaching the
 * record (behind the head, or its loop busy). All clocks are this machine's.
 */

export interface MessageTimes {
  job: string;
  recordMs: number;
  takenMs: number;
  producedMs: number;
  receivedMs: number;
  appliedMs: number;
  /** takenMs − the previous takenMs of the same source partition; null for its first message. */
  roundGapMs: number | null;
}

export const STAGES = [
  'total',
  'recordToTake',
  'roundGap',
  'takeToProduce',
  'produceToReceive',
  'receiveToApply',
] as const;
export type Stage = (typeof STAGES)[number];

/** The stages of one message, ms (roundGap: 0 for a partition's first message). */
export function stagesOf(m: MessageTimes): Record<Stage, number> {
  return {
    total: m.appliedMs - m.recordMs,
    recordToTake: m.takenMs - m.recordMs,
    roundGap: m.roundGapMs ?? 0,
    takeToProduce: m.producedMs - m.takenMs,
    produceToReceive: m.receivedMs - m.producedMs,
    receiveToApply: m.appliedMs - m.receivedMs,
  };
}

export interface FreshnessBreakdown {
  messages: number;
  /** Stage → [p50, p99] over every message. */
  quantilesMs: Record<Stage, [number, number]>;
  /** The messages whose total is at or above the total's p99: their median per stage. */
  tail: {
    messages: number;
    medianMs: Record<Stage, number>;
    lateReadShare: number;
    /** When the tail's records were written: [second since the first message's record, messages], busiest first (5 at most). */
    busiestSeconds: [number, number][];
  };
  /** Job → messages, total p50 / p99. */
  byJob: Record<string, { messages: number; p50: number; p99: number }>;
  /**
   * The messages whose records came in the second half of the span of records (as the scenario's steady
   * rate and lag are measured): total p50 / p99 without the start's warm-up.
   */
  secondHalf: { messages: number; p50: number; p99: number };
}

export function quantileOf(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function sortedBy(rows: readonly Record<Stage, number>[], stage: Stage): number[] {
  return rows.map((row) => row[stage]).sort((a, b) => a - b);
}

/** Null without messages. `lateReadShare`: tail messages whose record was taken more than a round gap late. */
export function freshnessBreakdown(messages: readonly MessageTimes[]): FreshnessBreakdown | null {
  if (messages.length === 0) return null;
  const rows = messages.map(stagesOf);
  const totals = sortedBy(rows, 'total');
  const p99 = quantileOf(totals, 0.99);
  const tailIndexes = rows.flatMap((row, index) => (row.total >= p99 ? [index] : []));
  const tail = tailIndexes.map((index) => rows[index]!);
  const per = <T>(make: (stage: Stage) => T) =>
    Object.fromEntries(STAGES.map((stage) => [stage, make(stage)])) as Record<Stage, T>;
  const byJob: FreshnessBreakdown['byJob'] = {};
  for (const job of new Set(messages.map((m) => m.job))) {
    const own = sortedBy(
      rows.filter((_, i) => messages[i]!.job === job),
      'total',
    );
    byJob[job] = { messages: own.length, p50: quantileOf(own, 0.5), p99: quantileOf(own, 0.99) };
  }
  const firstMs = firstRecordMs(messages);
  const lastMs = messages.reduce((last, m) => Math.max(last, m.recordMs), -Infinity);
  const late = sortedBy(
    rows.filter((_, i) => messages[i]!.recordMs >= firstMs + (lastMs - firstMs) / 2),
    'total',
  );
  return {
    messages: rows.length,
    quantilesMs: per((stage) => {
      const sorted = sortedBy(rows, stage);
      return [quantileOf(sorted, 0.5), quantileOf(sorted, 0.99)];
    }),
    tail: {
      messages: tail.length,
      medianMs: per((stage) => quantileOf(sortedBy(tail, stage), 0.5)),
      lateReadShare: tail.filter((row) => row.recordToTake > row.roundGap).length / tail.length,
      busiestSeconds: busiestSeconds(
        tailIndexes.map((index) => messages[index]!.recordMs),
        firstMs,
      ),
    },
    byJob,
    secondHalf: { messages: late.length, p50: quantileOf(late, 0.5), p99: quantileOf(late, 0.99) },
  };
}

function firstRecordMs(messages: readonly MessageTimes[]): number {
  return messages.reduce((first, m) => Math.min(first, m.recordMs), Infinity);
}

/** Whether the tail is a few stalls or spread out: its records per second since `startMs`, busiest first. */
function busiestSeconds(recordMs: readonly number[], startMs: number): [number, number][] {
  const counts = new Map<number, number>();
  for (const ms of recordMs) {
    const second = Math.floor((ms - startMs) / 1000);
    counts.set(second, (counts.get(second) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 5);
}
