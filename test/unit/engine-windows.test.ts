import { describe, expect, it } from 'vitest';
import {
  alignedStartMs,
  firstWindowStartMs,
  isFinal,
  maxTimestamp,
  paneStartMs,
  sessionEndMs,
  sliding,
  tumbling,
  windowsFor,
  windowStartMs,
} from '../../src/processor/engine/windows.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { MINUTE_MS, record, T0_MS } from './engine-records.ts';

function finalRows(type: 'login_success' | 'logout', timesMs: number[], view: string) {
  const engine = createJobEngine('auth');
  engine.process(timesMs.map((timeMs) => record(type, timeMs)));
  engine.endOfInput();
  return engine.drainFinal().get(view)!;
}

describe('window assignment', () => {
  it('puts an event at a window end into the next window (half-open [start, end))', () => {
    expect(alignedStartMs(T0_MS + MINUTE_MS - 1, MINUTE_MS)).toBe(T0_MS);
    expect(alignedStartMs(T0_MS + MINUTE_MS, MINUTE_MS)).toBe(T0_MS + MINUTE_MS);
    const rows = finalRows(
      'logout',
      [T0_MS + MINUTE_MS - 1, T0_MS + MINUTE_MS],
      'auth_realtime_active_users_1min',
    );
    expect(rows.map((row) => row.window_start).sort()).toEqual([T0_MS, T0_MS + MINUTE_MS]);
  });

  it('aligns windows of times before the epoch downwards', () => {
    expect(alignedStartMs(-1, MINUTE_MS)).toBe(-MINUTE_MS);
  });

  it('gives an event five sliding 5-min windows, the first starting 4 min before its minute', () => {
    const rows = finalRows('logout', [T0_MS + 30_000], 'auth_realtime_active_users_5min');
    const starts = rows.map((row) => Number(row.window_start)).sort((a, b) => a - b);
    expect(starts).toEqual([-4, -3, -2, -1, 0].map((minutes) => T0_MS + minutes * MINUTE_MS));
    expect(
      rows.every(
        (row) => row.events === 1 && Number(row.window_end) - Number(row.window_start) === 5 * MINUTE_MS,
      ),
    ).toBe(true);
  });

  it('combines panes so a sliding window counts each event once', () => {
    const rows = finalRows(
      'logout',
      [T0_MS, T0_MS + MINUTE_MS, T0_MS + 4 * MINUTE_MS + 59_999],
      'auth_realtime_active_users_5min',
    );
    expect(rows.find((row) => row.window_start === T0_MS)!.events).toBe(3);
    expect(rows.find((row) => row.window_start === T0_MS + MINUTE_MS)!.events).toBe(2);
  });

  it('rejects window specs that do not tile, naming the values', () => {
    expect(() => sliding(300_000, 70_000)).toThrow(/300000.*70000/);
    expect(() => tumbling(0)).toThrow(/sizeMs/);
  });
});

describe('windowsFor, isFinal and maxTimestamp (windows.ts)', () => {
  const oneMinute = tumbling(MINUTE_MS);
  const fiveBySlideOne = sliding(5 * MINUTE_MS, MINUTE_MS);

  it('gives a time exactly at a window end to the next window: [start, end) is half-open', () => {
    expect(windowsFor(oneMinute, T0_MS + MINUTE_MS - 1)).toEqual([
      { startMs: T0_MS, endMs: T0_MS + MINUTE_MS },
    ]);
    expect(windowsFor(oneMinute, T0_MS + MINUTE_MS)).toEqual([
      { startMs: T0_MS + MINUTE_MS, endMs: T0_MS + 2 * MINUTE_MS },
    ]);
    expect(windowStartMs(oneMinute, T0_MS + MINUTE_MS)).toBe(T0_MS + MINUTE_MS);
  });

  it('aligns negative times downwards, for tumbling windows and sliding panes alike', () => {
    expect(windowsFor(oneMinute, -1)).toEqual([{ startMs: -MINUTE_MS, endMs: 0 }]);
    expect(windowsFor(oneMinute, -MINUTE_MS)).toEqual([{ startMs: -MINUTE_MS, endMs: 0 }]);
    expect(paneStartMs(fiveBySlideOne, -1)).toBe(-MINUTE_MS);
    expect(windowsFor(fiveBySlideOne, -1).map((window) => window.startMs)).toEqual(
      [-5, -4, -3, -2, -1].map((minutes) => minutes * MINUTE_MS),
    );
  });

  it('gives a time sizeMs / slideMs sliding windows, earliest first, each holding it', () => {
    for (const timeMs of [T0_MS, T0_MS + 30_000, T0_MS + MINUTE_MS - 1, -1, -MINUTE_MS, 0]) {
      const windows = windowsFor(fiveBySlideOne, timeMs);
      expect(windows).toHaveLength(5);
      expect(windows[0]!.startMs).toBe(firstWindowStartMs(fiveBySlideOne, timeMs));
      expect(windows.at(-1)!.startMs).toBe(paneStartMs(fiveBySlideOne, timeMs));
      for (const window of windows) {
        expect(window.endMs - window.startMs).toBe(5 * MINUTE_MS);
        expect(window.startMs <= timeMs && timeMs <= maxTimestamp(window)).toBe(true);
      }
    }
  });

  it('calls a window final once the watermark reaches its end, not a millisecond before', () => {
    const [window] = windowsFor(oneMinute, T0_MS);
    expect(maxTimestamp(window!)).toBe(T0_MS + MINUTE_MS - 1);
    expect(isFinal(window!.endMs, T0_MS + MINUTE_MS - 1)).toBe(false);
    expect(isFinal(window!.endMs, T0_MS + MINUTE_MS)).toBe(true);
    expect(isFinal(window!.endMs, Infinity)).toBe(true);
    expect(isFinal(window!.endMs, -Infinity)).toBe(false);
  });

  it('ends a session one gap after its last event', () => {
    expect(sessionEndMs(T0_MS, 10 * MINUTE_MS)).toBe(T0_MS + 10 * MINUTE_MS);
  });
});
