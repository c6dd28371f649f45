import { describe, expect, it } from 'vitest';
import {
  decodeProvisional,
  encodeProvisional,
  encodeChanges,
  encodeProvisionalParts,
  PROVISIONAL_FORMAT,
  provisionalMessage,
  type ProvisionalMessage,
} from '../../src/processor/io/provisional-message.ts';
import type { PartitionChanges } from '../../src/processor/engine/open-cells.ts';
import { ProvisionalTable } from '../../src/processor/query/provisional-table.ts';

const VIEW = 'auth_realtime_login_rate';

function message(windows: number): ProvisionalMessage {
  const cells: ProvisionalMessage['views'][string] = {};
  for (let index = 0; index < windows; index++) {
    const startMs = Date.UTC(2025, 0, 6) + index * 60_000;
    cells[`${startMs}|`] = [
      {
        window_start: startMs,
        window_end: startMs + 60_000,
        login_attempts: index + 2,
        login_successes: index + 1,
        login_failures: 1,
        success_rate: (index + 1) / (index + 2),
      },
    ];
  }
  return {
    v: PROVISIONAL_FORMAT,
    job: 'auth',
    topic: 'lms.auth',
    partition: 3,
    watermark: 0,
    as_of: 1,
    views: { [VIEW]: cells },
  };
}

describe('provisional messages', () => {
  it('split a big partition change into parts that a reader applies to the same table', () => {
    const whole = message(400);
    const parts = encodeProvisionalParts(whole, 4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096 + 1024); // one cell over at most
    const fromParts = new ProvisionalTable();
    for (const part of parts) expect(fromParts.applyEncoded(part)).not.toBeInstanceOf(Error);
    const fromWhole = new ProvisionalTable();
    fromWhole.apply(whole);
    const all = { fromMs: -Infinity, toMs: Infinity };
    expect(fromParts.rows(VIEW, all, -Infinity)).toEqual(fromWhole.rows(VIEW, all, -Infinity));
    expect(fromParts.rows(VIEW, all, -Infinity)).toHaveLength(400);
  });

  it('keeps a small change in one message, and says what is wrong with a bad one', () => {
    expect(encodeProvisionalParts(message(3), 4096)).toEqual([encodeProvisional(message(3))]);
    expect(decodeProvisional(Buffer.from('{"v":2}'))).toBeInstanceOf(Error);
    expect(String(decodeProvisional(Buffer.from('not json')))).toMatch(/not JSON/);
  });

  it('encodes a partition change from the engine as the message object would encode', () => {
    const cells = Object.entries(message(400).views[VIEW]!);
    const change: PartitionChanges = {
      topic: 'lms.auth',
      partition: 3,
      watermarkMs: 5,
      newestRecordMs: 7,
      views: new Map([
        [VIEW, new Map(cells)],
        ['auth_realtime_failed_logins', new Map([['0|u1', []]])],
      ]),
    };
    const small = { ...change, views: new Map([[VIEW, new Map(cells.slice(0, 3))]]) };
    expect(encodeChanges('auth', small, 9, 4096)).toEqual([
      encodeProvisional(provisionalMessage('auth', small, 9)),
    ]);

    const parts = encodeChanges('auth', change, 9, 4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096 + 1024);
    const merged: ProvisionalMessage['views'] = {};
    for (const part of parts) {
      const decoded = decodeProvisional(part) as ProvisionalMessage;
      expect(decoded).toMatchObject({ job: 'auth', partition: 3, watermark: 5, as_of: 9, newest_record: 7 });
      for (const [view, viewCells] of Object.entries(decoded.views))
        Object.assign((merged[view] ??= {}), viewCells);
    }
    expect(merged).toEqual(provisionalMessage('auth', change, 9).views);
  });

  it('writes a bigint value as a number', () => {
    const withBigint = message(1);
    Object.values(withBigint.views[VIEW]!)[0]![0]!.login_attempts = 7n;
    const decoded = decodeProvisional(encodeProvisional(withBigint)) as ProvisionalMessage;
    expect(Object.values(decoded.views[VIEW]!)[0]![0]!.login_attempts).toBe(7);
  });
});
