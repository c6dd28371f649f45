import { describe, expect, it } from 'vitest';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { MINUTE_MS, record, T0_MS } from './engine-records.ts';

const VIEW = 'notification_realtime_delivery_status';
const sent = (timeMs: number, id = 'n-1') => record('notification_sent', timeMs, { notification_id: id });
const delivered = (timeMs: number, id = 'n-1') =>
  record('notification_delivered', timeMs, { notification_id: id });

function joinState(engine: ReturnType<typeof createJobEngine>) {
  return engine.stateMetrics().find((metrics) => metrics.view === VIEW)!;
}

describe('interval joins', () => {
  it('matches a delivery at exactly sent + 10 min, and one that arrived before the sent event', () => {
    const engine = createJobEngine('profile_notification');
    engine.process([
      delivered(T0_MS + 30_000, 'n-2'),
      sent(T0_MS, 'n-1'),
      sent(T0_MS + 20_000, 'n-2'),
      delivered(T0_MS + 10 * MINUTE_MS),
    ]);
    engine.endOfInput();
    const [row] = engine.drainFinal().get(VIEW)!;
    expect(row).toMatchObject({
      sent: 2,
      delivered: 2,
      undelivered: 0,
      max_delivery_seconds: 600,
      avg_delivery_seconds: 305,
    });
  });

  it('keeps a window until the watermark passes its end plus the bound, then drops its state', () => {
    const engine = createJobEngine('profile_notification');
    engine.process([sent(T0_MS), record('notification_clicked', T0_MS + 12 * MINUTE_MS)]);
    expect(engine.drainFinal().get(VIEW)).toEqual([]); // wm = 10 min < end 1 min + bound 10 min
    expect(joinState(engine).openWindows).toBe(1);
    engine.process([record('notification_clicked', T0_MS + 13 * MINUTE_MS)]);
    const rows = engine.drainFinal().get(VIEW)!;
    expect(rows).toEqual([expect.objectContaining({ sent: 1, delivered: 0, avg_delivery_seconds: null })]);
    expect(joinState(engine)).toMatchObject({ openWindows: 0, openEntries: 0 });
  });

  it('forgets a delivery older than the watermark, which no future sent event could match', () => {
    const engine = createJobEngine('profile_notification');
    engine.process([delivered(T0_MS), record('notification_clicked', T0_MS + 5 * MINUTE_MS)]);
    engine.drainFinal();
    expect(joinState(engine).openEntries).toBe(0);
  });
});
