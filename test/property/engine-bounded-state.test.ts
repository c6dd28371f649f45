import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { wireValue } from '../fixtures/valid-events.ts';

const START_MS = Date.UTC(2025, 0, 6, 8);
const STEP_MS = 1_000;

/** An in-order stream on one partition: one course event per second, rotating users and courses. */
function courseStream(count: number): SourceRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const user = `u${index % 50}`;
    const eventTimeMs = START_MS + index * STEP_MS;
    const value = wireValue('material_accessed', {
      event_id: `e${index}`,
      event_time: new Date(eventTimeMs).toISOString(),
      user_id: user,
      course_id: `c${index % 7}`,
      material_id: `m${index % 13}`,
    });
    return { topic: 'lms.course', partition: 0, offset: index, timestamp: eventTimeMs, key: user, value };
  });
}

function runInBatches(count: number): ReturnType<typeof createJobEngine> {
  const engine = createJobEngine('course');
  const records = courseStream(count);
  for (let at = 0; at < records.length; at += 1000) {
    engine.process(records.slice(at, at + 1000));
    engine.drainFinal();
  }
  return engine;
}

describe('bounded state', () => {
  it('holds only windows that are not final yet after a long in-order stream, whatever its length', () => {
    const short = runInBatches(4 * 3600);
    const long = runInBatches(12 * 3600);
    // wm = last time − 2 min: open are the T1 windows ending after it (3), the T5 windows (1–2), and
    // the S5/1 panes still used by a non-final window (at most 2 min + 5 min of panes: 7).
    for (const engine of [short, long]) {
      const byView = new Map(engine.stateMetrics().map((metrics) => [metrics.view, metrics]));
      expect(byView.get('course_realtime_active_courses_1min')!.openWindows).toBeLessThanOrEqual(3);
      expect(byView.get('course_realtime_material_access_5min')!.openWindows).toBeLessThanOrEqual(2);
      expect(byView.get('course_realtime_engagement_metrics')!.openWindows).toBeLessThanOrEqual(7);
      expect(engine.rememberedIds()).toBeLessThanOrEqual((2 * 60 + 60) * (1000 / STEP_MS) + 1000);
    }
    const shortBytes = short.stateMetrics().reduce((sum, metrics) => sum + metrics.approxBytes, 0);
    const longBytes = long.stateMetrics().reduce((sum, metrics) => sum + metrics.approxBytes, 0);
    expect(longBytes).toBeLessThan(shortBytes * 1.5);
  });

  it('drops every window once the input has ended', () => {
    const engine = runInBatches(3600);
    engine.endOfInput();
    engine.drainFinal();
    for (const metrics of engine.stateMetrics()) expect(metrics.openWindows, metrics.view).toBe(0);
    expect(engine.rememberedIds()).toBe(0);
  });
});
