/**
 * The dashboard's pure browser modules, run in Node: rows held per view as answers and stream events
 * come in, rows turned into chart series (final solid, provisional dashed), a panel's figures, the
 * picker's ranges, the event-stream parser and the Prometheus text the jobs panel reads.
 */
import { describe, expect, it } from 'vitest';
import { jobStatuses } from '../../src/dashboard/jobs-route.ts';
import { parsePrometheusText, sumBy } from '../../src/dashboard/prometheus-text.ts';
import { PANELS } from '../../src/dashboard/public/panels.js';
import {
  applyAnswer,
  applyFinal,
  applyProvisional,
  emptyViewRows,
  rangeOf,
  rowsIn,
  type Row,
} from '../../src/dashboard/public/rows.js';
import { chartData, measureOf, weightedMean } from '../../src/dashboard/public/series.js';
import { SseParser } from '../../src/dashboard/public/sse.js';

const minute = (m: number) => new Date(Date.UTC(2025, 0, 7, 10, m)).toISOString();

function loginRow(m: number, attempts: number, successes: number, final = true): Row {
  return {
    window_start: minute(m),
    window_end: minute(m + 1),
    login_attempts: attempts,
    login_successes: successes,
    login_failures: attempts - successes,
    success_rate: successes / attempts,
    source: final ? 'speed' : 'provisional',
    is_final: final,
  };
}

describe('rows held per view', () => {
  it('keeps one row per window and key: a final row replaces a provisional one, never the reverse', () => {
    const view = emptyViewRows(['course_id']);
    const row = (course: string, n: number, final: boolean): Row => ({
      window_start: minute(0),
      window_end: minute(1),
      course_id: course,
      interactions: n,
      is_final: final,
    });
    applyAnswer(view, { rows: [row('c-1', 5, true)], complete_through: minute(1), boundary: null });

    applyProvisional(view, { rows: [row('c-1', 9, false), row('c-2', 3, false)] });
    expect(rowsIn(view, { fromMs: 0, toMs: Date.parse(minute(5)) }).map((r) => r.interactions)).toEqual([
      5, 3,
    ]);

    applyFinal(view, { rows: [row('c-2', 4, true)], complete_through: minute(2) });
    expect(
      rowsIn(view, { fromMs: 0, toMs: Date.parse(minute(5)) }).map((r) => [r.interactions, r.is_final]),
    ).toEqual([
      [5, true],
      [4, true],
    ]);
    expect(view.completeThroughMs).toBe(Date.parse(minute(2)));
  });

  it('drops provisional rows of windows the watermark has passed, and filters by range and key', () => {
    const view = emptyViewRows(['course_id']);
    applyProvisional(view, {
      rows: [
        { window_start: minute(0), window_end: minute(1), course_id: 'c-1', is_final: false },
        { window_start: minute(3), window_end: minute(4), course_id: 'c-1', is_final: false },
        { window_start: minute(3), window_end: minute(4), course_id: 'c-2', is_final: false },
      ],
    });

    applyFinal(view, { rows: [], complete_through: minute(2) });

    const range = { fromMs: Date.parse(minute(0)), toMs: Date.parse(minute(10)) };
    expect(rowsIn(view, range).map((r) => r.window_start)).toEqual([minute(3), minute(3)]);
    expect(rowsIn(view, range, { course_id: 'c-2' }).map((r) => r.course_id)).toEqual(['c-2']);
    expect(rowsIn(view, { fromMs: Date.parse(minute(4)), toMs: Date.parse(minute(10)) })).toEqual([]);
  });

  it('turns the picker’s choices into ranges, and says what is wrong with a custom one', () => {
    const now = Date.parse(minute(30));
    expect(rangeOf({ preset: '15m' }, now)).toEqual({ fromMs: now - 900_000, toMs: now });
    expect(rangeOf({ preset: '24h' }, now)).toEqual({ fromMs: now - 86_400_000, toMs: now });
    expect(rangeOf({ preset: 'custom', from: minute(0), to: minute(5) }, now)).toEqual({
      fromMs: Date.parse(minute(0)),
      toMs: Date.parse(minute(5)),
    });
    expect(rangeOf({ preset: 'custom', from: minute(5), to: minute(0) }, now)).toEqual({
      error: 'custom range: the start must be before the end',
    });
    expect(rangeOf({ preset: 'custom', from: '' }, now)).toEqual({
      error: 'custom range: give a start and an end',
    });
  });
});

describe('chart series', () => {
  it('puts final windows in the solid series and open ones in the dashed one, joined at the last final point', () => {
    const rows = [loginRow(0, 4, 2), loginRow(1, 6, 3), loginRow(2, 8, 8, false)];

    const data = chartData([{ rows, measure: { sum: 'login_attempts' } }]);

    expect(data.xs).toEqual([0, 1, 2].map((m) => Date.parse(minute(m)) / 1000));
    expect(data.series).toEqual([{ final: [4, 6, null], provisional: [null, 6, 8] }]);
  });

  it('sums keys of one window, counts distinct keys, and gives no ratio over nothing', () => {
    const rows: Row[] = [
      { window_start: minute(0), course_id: 'c-1', enrollments: 2, delivered: 0, clicked: 0 },
      { window_start: minute(0), course_id: 'c-2', enrollments: 5, delivered: 0, clicked: 0 },
    ];
    expect(measureOf(rows, { sum: 'enrollments' })).toBe(7);
    expect(measureOf(rows, { distinct: 'course_id' })).toBe(2);
    expect(measureOf(rows, { ratio: ['clicked', 'delivered'] })).toBeNull();
    expect(
      weightedMean(
        [
          { avg: 50, n: 1 },
          { avg: 80, n: 3 },
          { avg: null, n: 0 },
        ],
        'avg',
        'n',
      ),
    ).toBe(72.5);
  });

  it('aligns lines of two views on the union of their window starts', () => {
    const one = [loginRow(0, 1, 1), loginRow(2, 3, 3)];
    const other = [loginRow(1, 2, 2)];

    const data = chartData([
      { rows: one, measure: { sum: 'login_attempts' } },
      { rows: other, measure: { sum: 'login_attempts' } },
    ]);

    expect(data.series.map((line) => line.final)).toEqual([
      [1, null, 3],
      [null, 2, null],
    ]);
  });
});

describe('panel figures', () => {
  it('gives the logins panel its totals and a success rate over the whole range', () => {
    const logins = PANELS.find((panel) => panel.id === 'logins')!;

    const figures = logins.figures({ auth_realtime_login_rate: [loginRow(0, 4, 1), loginRow(1, 6, 5)] });

    expect(Object.fromEntries(figures.map((figure) => [figure.name, figure.value]))).toEqual({
      attempts: 10,
      failures: 4,
      'success-rate': 0.6,
    });
  });
});

describe('the event-stream parser', () => {
  it('reads events split anywhere, with CRLF or LF, comments and multi-line data', () => {
    const parser = new SseParser();
    const text =
      ': keep-alive\r\nevent: final\r\nid: a:1,b:2\r\ndata: {"x":\r\ndata: 1}\r\n\r\nevent: provisional\ndata: {}\n\n';
    const events = [...text].flatMap((char) => parser.push(char));

    expect(events).toEqual([
      { event: 'final', data: '{"x":\n1}', id: 'a:1,b:2' },
      { event: 'provisional', data: '{}', id: 'a:1,b:2' },
    ]);
  });

  it('ignores an event without data and takes the retry delay the server asks for', () => {
    const parser = new SseParser();

    expect(parser.push('event: final\n\nretry: 2500\ndata:x\n\n')).toEqual([
      { event: 'message', data: 'x', id: undefined },
    ]);
    expect(parser.retryMs).toBe(2500);
  });
});

describe('the jobs panel’s sources', () => {
  it('parses Prometheus text with escaped label values and sums a counter per label', () => {
    const samples = parsePrometheusText(
      [
        '# TYPE c counter',
        'c{job="a",note="say \\"hi\\""} 2',
        'c{job="a",note="x"} 3',
        'c{job="b"} 1e3',
        'g 7',
        '',
      ].join('\n'),
    );
    expect(samples[0]).toEqual({ name: 'c', labels: { job: 'a', note: 'say "hi"' }, value: 2 });
    expect(sumBy(samples, 'c', 'job')).toEqual(
      new Map([
        ['a', 5],
        ['b', 1000],
      ]),
    );
    expect(sumBy(samples, 'g', 'job')).toEqual(new Map([['', 7]]));
  });

  it('gives no rate for a counter that went down (a restarted run process)', () => {
    const health = { auth: { state: 'running' as const, lastCommitAgeSeconds: 1, lag: 0 } };
    const [status] = jobStatuses(
      health,
      [],
      { atMs: 2000, recordsByJob: new Map([['auth', 10]]) },
      { atMs: 1000, recordsByJob: new Map([['auth', 500]]) },
    );
    expect(status!.records_per_s).toBeNull();
  });
});
