/**
 * The pure evaluation of alert rules (src/alerts/threshold-evaluation.ts, absence-evaluation.ts): rows
 * of complete windows in, transitions out. `for` counts consecutive windows of one key, a failing row
 * or a window without a row resolves, `where` keeps one key, absence fires after its duration of
 * empty complete windows and resolves on the next row, provisional rows fire early.
 */
import { describe, expect, it } from 'vitest';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { evaluateAbsence, initialAbsenceState, restoreAbsence } from '../../src/alerts/absence-evaluation.ts';
import { parseAlertRules, type AbsenceRule, type ThresholdRule } from '../../src/alerts/alert-rules.ts';
import {
  EMPTY_THRESHOLD_STATE,
  evaluateThreshold,
  peekProvisional,
  restoreThreshold,
  type ThresholdState,
} from '../../src/alerts/threshold-evaluation.ts';
import type { Transition } from '../../src/alerts/alert-transition.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 6, 8, 0);
const at = (minute: number) => T0 + minute * MINUTE;
const FAILED = { startColumn: 'window_start', keyColumns: ['user_id'] };
const LOGIN_RATE = { startColumn: 'window_start', keyColumns: [] };

function rule<R>(yaml: string): R {
  return parseAlertRules(`rules:\n${yaml}`, 'test.yaml').rules[0] as R;
}

const bruteForce = (extra = '') =>
  rule<ThresholdRule>(`  - name: brute
    view: auth_realtime_failed_logins
    column: failed_attempts
    op: '>='
    threshold: 20
    severity: critical
${extra}`);

const failed = (minute: number, user: string, attempts: number): ViewRow => ({
  window_start: at(minute),
  window_end: at(minute + 1),
  user_id: user,
  failed_attempts: attempts,
  distinct_ips: 1,
  suspected_brute_force: attempts >= 5,
});

/** Evaluates minute by minute (one call per complete minute, as serve's rounds do), collecting transitions. */
function run(
  r: ThresholdRule,
  rows: ViewRow[],
  minutes: number,
  state: ThresholdState = EMPTY_THRESHOLD_STATE,
  fromMinute = 0,
) {
  const transitions: Transition[] = [];
  for (let minute = fromMinute; minute < minutes; minute++) {
    const range = { fromMs: at(minute), toMs: at(minute + 1) };
    const result = evaluateThreshold(r, FAILED, state, rows, range);
    state = result.state;
    transitions.push(...result.transitions);
  }
  return { state, transitions };
}

const summary = (transitions: Transition[]) =>
  transitions.map(
    (t) =>
      `${t.state} ${JSON.stringify(t.key)} since ${(t.sinceMs - T0) / MINUTE} at ${(t.atMs - T0) / MINUTE}`,
  );

describe('threshold rules', () => {
  it('fires a key in the window its condition holds, with the row that made it fire', () => {
    const { transitions } = run(
      bruteForce(),
      [failed(0, 'u-1', 3), failed(1, 'u-1', 25), failed(1, 'u-2', 19)],
      2,
    );

    expect(summary(transitions)).toEqual(['firing {"user_id":"u-1"} since 1 at 1']);
    expect(transitions[0]!.rows).toEqual([failed(1, 'u-1', 25)]);
    expect(transitions[0]!.severity).toBe('critical');
  });

  it('counts `for` consecutive windows of one key: a gap starts the count again', () => {
    const r = bruteForce('    for: 3\n');
    const rows = [0, 1, 3, 4, 5].map((minute) => failed(minute, 'u-1', 30));

    const { transitions } = run(r, rows, 6);

    // 0, 1 held, 2 had no row: the streak of 3, 4, 5 fires, since 3.
    expect(summary(transitions)).toEqual(['firing {"user_id":"u-1"} since 3 at 5']);
    expect(transitions[0]!.rows.map((row) => row.window_start)).toEqual([at(3), at(4), at(5)]);
  });

  it('judges the same windows the same way whether they come in one range or minute by minute', () => {
    const r = bruteForce('    for: 2\n');
    const rows = [0, 1, 2, 4].map((minute) => failed(minute, 'u-1', 30));

    const oneRange = evaluateThreshold(r, FAILED, EMPTY_THRESHOLD_STATE, rows, {
      fromMs: at(0),
      toMs: at(6),
    });

    expect(summary(oneRange.transitions)).toEqual(summary(run(r, rows, 6).transitions));
    expect(summary(oneRange.transitions)).toEqual([
      'firing {"user_id":"u-1"} since 0 at 1',
      'resolved {"user_id":"u-1"} since 0 at 3',
    ]);
  });

  it('resolves at the first window where the condition fails, or that has no row of the key', () => {
    const rows = [failed(0, 'u-1', 30), failed(1, 'u-1', 4), failed(0, 'u-2', 30)];

    const { transitions, state } = run(bruteForce(), rows, 3);

    expect(summary(transitions)).toEqual([
      'firing {"user_id":"u-1"} since 0 at 0',
      'firing {"user_id":"u-2"} since 0 at 0',
      'resolved {"user_id":"u-1"} since 0 at 1',
      'resolved {"user_id":"u-2"} since 0 at 1',
    ]);
    expect(transitions[2]!.rows).toEqual([failed(1, 'u-1', 4)]); // the row that broke it
    expect(transitions[3]!.rows).toEqual([]); // u-2 had no row in minute 1
    expect(state.tracks.size).toBe(0);
  });

  it('keeps only the keys of `where`', () => {
    const r = bruteForce('    where: { user_id: u-2 }\n');
    const rows = [failed(0, 'u-1', 30), failed(0, 'u-2', 30)];

    expect(summary(run(r, rows, 1).transitions)).toEqual(['firing {"user_id":"u-2"} since 0 at 0']);
  });

  it('compares with every operator, and never fires on a null value', () => {
    const rate = (op: string, threshold: number) =>
      rule<ThresholdRule>(
        `  - { name: r, view: auth_realtime_login_rate, column: success_rate, op: '${op}', threshold: ${threshold}, severity: info }`,
      );
    const row = (successRate: number | null): ViewRow => ({
      window_start: at(0),
      window_end: at(1),
      success_rate: successRate,
    });
    const fires = (r: ThresholdRule, value: number | null) =>
      evaluateThreshold(r, LOGIN_RATE, EMPTY_THRESHOLD_STATE, [row(value)], { fromMs: at(0), toMs: at(1) })
        .transitions.length === 1;

    expect([fires(rate('<', 0.5), 0.4), fires(rate('<', 0.5), 0.5), fires(rate('<=', 0.5), 0.5)]).toEqual([
      true,
      false,
      true,
    ]);
    expect([
      fires(rate('>', 0.5), 0.6),
      fires(rate('>=', 0.5), 0.4),
      fires(rate('==', 1), 1),
      fires(rate('!=', 1), 1),
    ]).toEqual([true, false, true, false]);
    expect(fires(rate('<', 0.5), null)).toBe(false);
  });

  it('after a restore from the log, neither fires again nor judges the windows already judged', () => {
    const r = bruteForce('    for: 2\n');
    const rows = [0, 1, 2, 3].map((minute) => failed(minute, 'u-1', 30));
    const first = run(r, rows, 2);
    expect(summary(first.transitions)).toEqual(['firing {"user_id":"u-1"} since 0 at 1']);

    // A new process: the state comes from the log only, and it looks back over windows judged before.
    const restored = restoreThreshold(r, EMPTY_THRESHOLD_STATE, first.transitions[0]!);
    const again = run(r, rows, 4, restored, 0);

    expect(again.transitions).toEqual([]);
    expect(again.state.tracks.get([...again.state.tracks.keys()][0]!)!.firing!.sinceMs).toBe(at(0));
  });
});

describe('provisional rows (`on: provisional`)', () => {
  it('fires on an open window that completes the streak, and the final rows confirm it without a second transition', () => {
    const r = bruteForce('    for: 2\n    on: provisional\n');
    const judged = run(r, [failed(0, 'u-1', 30)], 1);
    expect(judged.transitions).toEqual([]);

    const peeked = peekProvisional(
      r,
      FAILED,
      judged.state,
      [{ ...failed(1, 'u-1', 22), source: 'provisional' }],
      at(1),
    );
    expect(summary(peeked.transitions)).toEqual(['firing {"user_id":"u-1"} since 0 at 1']);
    expect(peeked.transitions[0]!.provisional).toBe(true);

    const confirmed = run(r, [failed(0, 'u-1', 30), failed(1, 'u-1', 24)], 2, peeked.state, 1);
    expect(confirmed.transitions).toEqual([]);
  });

  it('is resolved when the final row of the window does not hold', () => {
    const r = bruteForce('    on: provisional\n');
    const peeked = peekProvisional(r, FAILED, EMPTY_THRESHOLD_STATE, [failed(0, 'u-1', 20)], at(0));
    expect(summary(peeked.transitions)).toEqual(['firing {"user_id":"u-1"} since 0 at 0']);

    const final = run(r, [failed(0, 'u-1', 19)], 1, peeked.state);

    expect(summary(final.transitions)).toEqual(['resolved {"user_id":"u-1"} since 0 at 0']);
    expect(final.transitions[0]!.id).toBe(peeked.transitions[0]!.id.replace(/firing$/, 'resolved'));
  });
});

describe('absence rules', () => {
  const noEvents = rule<AbsenceRule>(`  - name: quiet
    view: auth_realtime_active_users_1min
    absent_for: 5m
    severity: critical`);
  const active = (minute: number): ViewRow => ({
    window_start: at(minute),
    window_end: at(minute + 1),
    active_users: 3,
    events: 9,
  });

  it('fires once the complete windows after the last row have been empty for the duration, resolves on the next row', () => {
    let state = initialAbsenceState(noEvents, null, at(0));
    const rows = [active(0), active(1), active(9)];
    const transitions: Transition[] = [];
    for (let minute = 0; minute < 10; minute++) {
      const result = evaluateAbsence(noEvents, 'window_start', state, rows, {
        fromMs: at(minute),
        toMs: at(minute + 1),
      });
      state = result.state;
      transitions.push(...result.transitions);
    }

    // Silence from minute 2 (after the row of minute 1); five empty minutes 2..6 complete at 7.
    expect(summary(transitions)).toEqual(['firing {} since 2 at 7', 'resolved {} since 2 at 9']);
    expect(transitions[1]!.rows).toEqual([active(9)]);
    expect(state.firing).toBeNull();
  });

  it('does not fire while fewer complete minutes than the duration are empty', () => {
    const state = initialAbsenceState(noEvents, at(0), at(0));
    const result = evaluateAbsence(noEvents, 'window_start', state, [], { fromMs: at(1), toMs: at(5) });

    expect(result.transitions).toEqual([]);
  });

  it('names the episode by the last row seen, so a restarted evaluator that saw it agrees', () => {
    const first = evaluateAbsence(noEvents, 'window_start', initialAbsenceState(noEvents, at(3), at(0)), [], {
      fromMs: at(4),
      toMs: at(12),
    });
    const later = evaluateAbsence(noEvents, 'window_start', initialAbsenceState(noEvents, at(3), at(8)), [], {
      fromMs: at(8),
      toMs: at(13),
    });
    expect(first.transitions.map((t) => t.id)).toEqual(later.transitions.map((t) => t.id));

    const restored = restoreAbsence(
      noEvents,
      initialAbsenceState(noEvents, at(3), at(8)),
      first.transitions[0]!,
    );
    expect(
      evaluateAbsence(noEvents, 'window_start', restored, [], { fromMs: at(8), toMs: at(20) }).transitions,
    ).toEqual([]);
  });
});
