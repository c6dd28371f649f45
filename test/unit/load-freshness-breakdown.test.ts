import { describe, expect, it } from 'vitest';
import { freshnessBreakdown, stagesOf, type MessageTimes } from '../../src/load/freshness-breakdown.ts';

function message(job: string, recordMs: number, roundGapMs: number | null, extra = 0): MessageTimes {
  // record → taken 100 ms (+ extra) → produced 10 ms → read 20 ms → applied 1 ms
  const takenMs = recordMs + 100 + extra;
  return {
    job,
    recordMs,
    takenMs,
    producedMs: takenMs + 10,
    receivedMs: takenMs + 30,
    appliedMs: takenMs + 31,
    roundGapMs,
  };
}

describe('freshness breakdown of provisional messages', () => {
  it('splits one message into stages that add up to its total', () => {
    const stages = stagesOf(message('auth', 1_000, 250));
    expect(stages).toEqual({
      total: 131,
      recordToTake: 100,
      roundGap: 250,
      takeToProduce: 10,
      produceToReceive: 20,
      receiveToApply: 1,
    });
    expect(stages.recordToTake + stages.takeToProduce + stages.produceToReceive + stages.receiveToApply).toBe(
      stages.total,
    );
  });

  it('describes the tail by the messages at or above the p99, and which were read late', () => {
    const fast = Array.from({ length: 99 }, (_, i) => message('auth', i * 1000, 250));
    const slow = message('video', 500_000, 250, 5_000); // taken 5.1 s after its record, rounds 250 ms apart
    const breakdown = freshnessBreakdown([...fast, slow])!;
    expect(breakdown.messages).toBe(100);
    expect(breakdown.quantilesMs.total).toEqual([131, 5_131]);
    expect(breakdown.tail.messages).toBe(1);
    expect(breakdown.tail.medianMs.recordToTake).toBe(5_100);
    expect(breakdown.tail.lateReadShare).toBe(1);
    expect(breakdown.byJob.video).toEqual({ messages: 1, p50: 5_131, p99: 5_131 });
    expect(breakdown.byJob.auth!.messages).toBe(99);
  });

  it('says when the tail records were written, busiest second first', () => {
    const fast = Array.from({ length: 300 }, (_, i) => message('auth', i * 100, 250));
    const stall = [40_100, 40_200, 40_900].map((ms) => message('video', ms, 250, 3_000));
    const lone = message('course', 12_500, 250, 2_500);

    const breakdown = freshnessBreakdown([...fast, ...stall, lone])!;

    expect(breakdown.tail.busiestSeconds).toEqual([
      [40, 3],
      [12, 1],
    ]);
  });

  it('gives the freshness of the second half of the records apart, without the start', () => {
    const start = Array.from({ length: 10 }, (_, i) => message('auth', i * 1000, 250, 4_000));
    const steady = Array.from({ length: 90 }, (_, i) => message('auth', 10_000 + i * 1000, 250));

    const breakdown = freshnessBreakdown([...start, ...steady])!;

    expect(breakdown.quantilesMs.total[1]).toBe(4_131);
    expect(breakdown.secondHalf).toEqual({ messages: 50, p50: 131, p99: 131 });
  });

  it('is null without messages', () => {
    expect(freshnessBreakdown([])).toBeNull();
  });
});
