/**
 * views.md | assessment_realtime_submissions_1min | T1 | course_id | assignment_submitted,
 * quiz_completed, assignment_graded | submissions, scored, avg/min/max_score_pct over scored events |
 */
import { ratio } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS, scorePct } from './common.ts';

interface Scores {
  submissions: number;
  scored: number;
  pctSum: number;
  pctMin: number | null;
  pctMax: number | null;
}

export default windowView({
  name: 'assessment_realtime_submissions_1min',
  inputTypes: ['assignment_submitted', 'quiz_completed', 'assignment_graded'],
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: ['course_id'],
  key: (event) => event.course_id,
  aggregate: {
    init: (): Scores => ({ submissions: 0, scored: 0, pctSum: 0, pctMin: null, pctMax: null }),
    add(state, event) {
      if (event.event_type !== 'assignment_graded') state.submissions++;
      if (event.event_type === 'assignment_submitted') return;
      const pct = scorePct(event);
      state.scored++;
      state.pctSum += pct;
      if (state.pctMin === null || pct < state.pctMin) state.pctMin = pct;
      if (state.pctMax === null || pct > state.pctMax) state.pctMax = pct;
    },
    merge(into, from) {
      into.submissions += from.submissions;
      into.scored += from.scored;
      into.pctSum += from.pctSum;
      if (from.pctMin !== null && (into.pctMin === null || from.pctMin < into.pctMin))
        into.pctMin = from.pctMin;
      if (from.pctMax !== null && (into.pctMax === null || from.pctMax > into.pctMax))
        into.pctMax = from.pctMax;
    },
    partial: (state) => ({
      submissions: state.submissions,
      scored: state.scored,
      _score_pct_sum: state.pctSum,
      min_score_pct: state.pctMin,
      max_score_pct: state.pctMax,
    }),
  },
  merge: {
    submissions: 'sum',
    scored: 'sum',
    _score_pct_sum: 'sum',
    min_score_pct: 'min',
    max_score_pct: 'max',
  },
  mergeColumnTypes: { _score_pct_sum: 'double' },
  finish: (row) => ({ avg_score_pct: ratio(row._score_pct_sum!, row.scored!) }),
});
