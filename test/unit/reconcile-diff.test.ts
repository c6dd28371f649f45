import { describe, expect, it } from 'vitest';
import { viewSpec } from '../../src/events/view-catalog.ts';
import { compareViewRows } from '../../src/batch/reconcile-diff.ts';

const at = (iso: string) => Date.parse(`2025-01-06T${iso}Z`);

describe('the reconciliation diff', () => {
  it('matches windows by start, end and keys, and doubles within a relative 1e-9', () => {
    const spec = viewSpec('assessment_realtime_submission_rate');
    const row = (course: string, submissions: number, perMinute: number) => ({
      window_start: at('10:00:00'),
      window_end: at('10:05:00'),
      course_id: course,
      submissions,
      submissions_per_minute: perMinute,
    });
    const batch = [row('c1', 3, 0.6), row('c2', 5, 1), row('c3', 1, 0.2)];
    const speed = [row('c1', 3, 0.6 * (1 + 1e-12)), row('c2', 4, 0.8), row('c4', 1, 0.2)];

    const result = compareViewRows(spec, batch, speed);

    const window = { window_start: '2025-01-06T10:00:00.000Z', window_end: '2025-01-06T10:05:00.000Z' };
    expect(result).toEqual({
      equal: 1,
      differing: [{ ...window, course_id: 'c2' }],
      onlyBatch: [{ ...window, course_id: 'c3' }],
      onlySpeed: [{ ...window, course_id: 'c4' }],
      largest: [
        { key: { ...window, course_id: 'c2' }, column: 'submissions', batch: 5, speed: 4 },
        { key: { ...window, course_id: 'c2' }, column: 'submissions_per_minute', batch: 1, speed: 0.8 },
      ],
    });
  });

  it('matches sessions by start and user, so a moved end is a difference; a change of kind ranks first', () => {
    const spec = viewSpec('auth_realtime_session_activity');
    const session = (end: string, events: number, logout: boolean) => ({
      session_start: at('10:00:00'),
      session_end: at(end),
      user_id: 'u1',
      events,
      logins: 1,
      duration_seconds: (at(end) - at('10:10:00')) / 1000,
      ended_by_logout: logout,
    });

    const result = compareViewRows(spec, [session('10:30:00', 4, true)], [session('10:20:00', 3, false)], 2);

    expect(result.differing).toEqual([{ session_start: '2025-01-06T10:00:00.000Z', user_id: 'u1' }]);
    expect(result.largest.map(({ column, batch, speed }) => [column, batch, speed])).toEqual([
      ['session_end', '2025-01-06T10:30:00.000Z', '2025-01-06T10:20:00.000Z'],
      ['ended_by_logout', true, false],
    ]);
  });

  it('refuses two rows with one key on a side (a table read twice)', () => {
    const spec = viewSpec('auth_realtime_active_users_1min');
    const row = { window_start: at('10:00:00'), window_end: at('10:01:00'), active_users: 1, events: 1 };

    expect(() => compareViewRows(spec, [row], [row, row])).toThrow(
      /^auth_realtime_active_users_1min: two speed rows with key/,
    );
  });
});
