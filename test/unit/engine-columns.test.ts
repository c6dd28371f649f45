import { describe, expect, it } from 'vitest';
import type { EventType } from '../../src/events/topics.ts';
import type { LmsEvent } from '../../src/events/types.ts';
import {
  ColumnsAggregate,
  count,
  countIf,
  derived,
  distinct,
  idSet,
  max,
  min,
  ratio,
  sum,
  type Column,
  type StoredColumn,
} from '../../src/processor/engine/columns.ts';
import { mergeRows } from '../../src/processor/engine/merge-rows.ts';
import { joinView, sessionView, windowView } from '../../src/processor/engine/view-definition.ts';
import { topView } from '../../src/processor/engine/top-view.ts';
import { tumbling } from '../../src/processor/engine/windows.ts';
import { viewDefinition } from '../../src/processor/views/index.ts';
import { wireEvent } from '../fixtures/valid-events.ts';
import { T0_MS } from './engine-records.ts';

interface Sample {
  value: number | null;
  id: string;
}

function aggregateOf(columns: Record<string, Column<Sample>>) {
  return new ColumnsAggregate(Object.keys(columns), Object.values(columns) as StoredColumn<Sample>[]);
}

function folded(aggregate: ColumnsAggregate<Sample>, samples: Sample[]) {
  const state = aggregate.init();
  for (const sample of samples) aggregate.add(state, sample);
  return state;
}

/** A view that folds events (not a join). */
function eventView(name: string) {
  const view = viewDefinition(name);
  if (view.kind === 'join') throw new Error(`${name} is a join view`);
  return view;
}

function event(type: EventType, timeMs: number, overrides: Record<string, unknown> = {}): LmsEvent {
  return { ...wireEvent(type, overrides), event_time: timeMs } as unknown as LmsEvent;
}

const LOGIN_RATE = {
  name: 'auth_realtime_login_rate',
  inputTypes: ['login_success', 'login_failure'],
  window: tumbling(60_000),
} as const;

describe('column builders', () => {
  it('fold events like SQL aggregates: sum, min and max skip nulls, and are 0 or null over none', () => {
    const aggregate = aggregateOf({
      events: count(),
      big: countIf((sample) => (sample.value ?? 0) > 1),
      total: sum((sample) => sample.value),
      least: min((sample) => sample.value),
      greatest: max((sample) => sample.value),
      ids: distinct((sample) => sample.id),
    });
    const samples = [
      { value: 2, id: 'a' },
      { value: null, id: 'b' },
      { value: -1, id: 'a' },
    ];

    expect(aggregate.partial(folded(aggregate, samples))).toEqual({
      events: 3,
      big: 1,
      total: 1,
      least: -1,
      greatest: 2,
      ids: 2,
    });
    expect(aggregate.partial(folded(aggregate, [{ value: null, id: 'a' }]))).toMatchObject({
      total: 0,
      least: null,
      greatest: null,
    });
  });

  it('adds sums event by event, so float results keep the order of the additions', () => {
    const aggregate = aggregateOf({ total: sum((sample) => sample.value, 'double') });
    const values = [0.1, 0.2, 0.3, 1e-17, 7.7];

    const state = folded(
      aggregate,
      values.map((value) => ({ value, id: '' })),
    );

    let inOrder = 0;
    for (const value of values) inOrder += value;
    expect(aggregate.partial(state).total).toBe(inOrder);
    expect(inOrder).not.toBe(7.7 + 0.3 + 0.2 + 0.1 + 1e-17); // another order rounds differently
  });

  it('merges two partial states: counts and sums add, the least min and greatest max win, null is none', () => {
    const aggregate = aggregateOf({
      events: count(),
      total: sum((sample) => sample.value),
      least: min((sample) => sample.value),
      greatest: max((sample) => sample.value),
      ids: idSet((sample) => sample.id),
    });
    const into = folded(aggregate, [
      { value: 3, id: 'b' },
      { value: 5, id: 'a' },
    ]);
    const from = folded(aggregate, [
      { value: null, id: 'c' },
      { value: 1, id: 'a' },
    ]);

    aggregate.merge(into, from);
    aggregate.merge(into, aggregate.init());

    expect(aggregate.partial(into)).toEqual({
      events: 4,
      total: 9,
      least: 1,
      greatest: 5,
      ids: '["a","b","c"]',
    });
    expect(aggregate.partial(from)).toMatchObject({ events: 2, ids: '["a","c"]' }); // `from` unchanged
  });

  it('gives ratios of null when the denominator is 0, also after partial rows merge', () => {
    const view = viewDefinition('auth_realtime_login_rate');
    const partial = { window_start: T0_MS, window_end: T0_MS + 60_000 };
    const empty = { ...partial, login_attempts: 0, login_successes: 0, login_failures: 0 };

    expect(view.derive(empty)).toEqual({ success_rate: null });
    expect(ratio(1, 4)).toBe(0.25);
    expect(
      mergeRows(view, [
        { ...empty, login_attempts: 3, login_successes: 1, login_failures: 2 },
        { ...empty, login_attempts: 1, login_successes: 1 },
      ]),
    ).toEqual([{ ...empty, login_attempts: 4, login_successes: 2, login_failures: 2, success_rate: 0.5 }]);
  });

  it('merges partial rows: distinct counts add, id sets unite and the derived count is their size', () => {
    const view = viewDefinition('video_realtime_concurrent_viewers');
    const time = { window_start: T0_MS, window_end: T0_MS + 60_000 };

    const [merged] = mergeRows(view, [
      { ...time, concurrent_viewers: 2, _video_ids: '["v1","v2"]', videos_playing: 2 },
      { ...time, concurrent_viewers: 3, _video_ids: '["v2","v3"]', videos_playing: 2 },
    ]);

    expect(merged).toEqual({
      ...time,
      concurrent_viewers: 5,
      _video_ids: '["v1","v2","v3"]',
      videos_playing: 3,
    });
  });
});

describe('compiled views', () => {
  it('take key columns and types from the catalog, and list the _ columns with their types', () => {
    const view = viewDefinition('assessment_realtime_quiz_attempts');

    expect(view.keyColumns).toEqual(['course_id', 'assessment_id']);
    expect(view.mergeKinds).toEqual({ started: 'sum', completed: 'sum', _score_pct_sum: 'sum' });
    expect(view.hiddenColumns).toEqual({ _score_pct_sum: 'double' });
  });

  it('fold a session with the logout-at-last tie rule: any logout at the last time ends it by logout', () => {
    const view = eventView('auth_realtime_session_activity');
    const state = view.aggregate.init();
    const user = { user_id: 'u-1' };

    view.aggregate.add(state, event('login_success', T0_MS, user));
    view.aggregate.add(state, event('logout', T0_MS + 90_000, user));
    view.aggregate.add(state, event('token_refresh', T0_MS + 90_000, user));

    expect(view.aggregate.partial(state)).toEqual({
      events: 3,
      logins: 1,
      duration_seconds: 90,
      ended_by_logout: true,
    });
  });

  it('rank a top view by plays then video id, and rank merged partial rows again', () => {
    const view = eventView('video_realtime_popular_videos');
    const play = (videoId: string, userId: string) =>
      event('video_play', T0_MS, { video_id: videoId, user_id: userId });
    const partition = (plays: LmsEvent[]) => {
      const state = view.aggregate.init();
      for (const one of plays) view.aggregate.add(state, one);
      return view.rows!(state);
    };
    const first = partition([play('v2', 'u1'), play('v1', 'u1'), play('v2', 'u1')]);
    const second = partition([play('v1', 'u2'), play('v3', 'u2')]);

    expect(first.map(({ rank, video_id, plays, viewers }) => [rank, video_id, plays, viewers])).toEqual([
      [1, 'v2', 2, 1],
      [2, 'v1', 1, 1],
    ]);
    expect(first[0]!._plays_by_video).toBe('{"v2":[2,1],"v1":[1,1]}');
    const merged = view.mergeWindowRows!([...first, ...second]);
    expect(merged.map(({ rank, video_id, plays, viewers }) => [rank, video_id, plays, viewers])).toEqual([
      [1, 'v1', 2, 2],
      [2, 'v2', 2, 1],
      [3, 'v3', 1, 1],
    ]);
  });
});

describe('definition errors', () => {
  it('name the view when a catalog column is not declared', () => {
    expect(() => windowView(LOGIN_RATE).select({ login_attempts: count() })).toThrow(
      'auth_realtime_login_rate: catalog column login_successes is not declared',
    );
  });

  it('name the view when a column is not in the catalog, or its type differs from the catalog', () => {
    const columns = {
      login_attempts: count(),
      login_successes: count(),
      login_failures: count(),
      success_rate: derived(() => null),
    };
    expect(() => windowView(LOGIN_RATE).select({ ...columns, attempts: count() })).toThrow(
      'auth_realtime_login_rate: column attempts is not a value column of the catalog',
    );
    expect(() => windowView(LOGIN_RATE).select({ ...columns, success_rate: count() })).toThrow(
      'auth_realtime_login_rate: column success_rate is int64, the catalog says double',
    );
  });

  it('name the view when a _ column has no type', () => {
    expect(() =>
      windowView({
        name: 'assessment_realtime_quiz_attempts',
        inputTypes: ['quiz_completed'],
        window: tumbling(60_000),
        key: (event) => event.course_id,
      }).select({ _score_pct_sum: sum((event) => event.score) }),
    ).toThrow(
      "assessment_realtime_quiz_attempts: _ column _score_pct_sum needs a type, e.g. sum(..., 'double')",
    );
  });

  it('name the view when a derived column reads a name that is not a stored column', () => {
    expect(() =>
      windowView(LOGIN_RATE).select({
        login_attempts: count(),
        login_successes: count(),
        login_failures: count(),
        success_rate: derived((row) => ratio(row.login_succeses, row.login_attempts)),
      }),
    ).toThrow(
      'auth_realtime_login_rate: derived column success_rate reads login_succeses, which is not a stored column',
    );
  });

  it('name the view when a top view ranks by a column it does not declare', () => {
    const popular = topView({
      name: 'video_realtime_popular_videos',
      inputTypes: ['video_play'],
      window: tumbling(300_000),
      groupBy: { video_id: (play) => play.video_id },
      rankBy: 'views',
      limit: 10,
      allGroupsColumn: '_plays_by_video',
    });

    expect(() => popular.select({ plays: count(), viewers: distinct((play) => play.user_id) })).toThrow(
      'video_realtime_popular_videos: rankBy views is not one of the columns',
    );
  });

  it('name the view when its key function, timing or name does not fit the catalog', () => {
    expect(() =>
      joinView({
        name: 'notification_realtime_delivery_status',
        leftType: 'notification_sent',
        rightType: 'notification_delivered',
        window: tumbling(60_000),
        boundMs: 600_000,
        leftMatchKey: (sent) => sent.notification_id,
        rightMatchKey: (delivered) => delivered.notification_id,
      }).select({}),
    ).toThrow(
      'notification_realtime_delivery_status: the catalog keys it by [channel]: it needs a key function',
    );
    expect(() => sessionView({ name: 'auth_realtime_login_rate', inputTypes: ['logout'] })).toThrow(
      'auth_realtime_login_rate: the catalog times it by window, not session',
    );
    expect(() => windowView({ ...LOGIN_RATE, name: 'auth_realtime_nothing' })).toThrow(
      /^auth_realtime_nothing: unknown view auth_realtime_nothing/,
    );
  });
});
