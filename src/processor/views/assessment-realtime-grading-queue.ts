/**
 * views.md | assessment_realtime_grading_queue | T5 of the submission time, JOIN(30 min) | course_id |
 * assignment_submitted, assignment_graded | submitted, graded, pending, avg_minutes_to_grade |
 * Match: same user_id and submission_id, graded time in [submitted, submitted + 30 min].
 */
import { ratio } from '../engine/aggregate.ts';
import { joinView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, twoPartKey } from './common.ts';

const GRADING_BOUND_MS = 30 * 60_000;

export default joinView({
  name: 'assessment_realtime_grading_queue',
  leftType: 'assignment_submitted',
  rightType: 'assignment_graded',
  window: tumbling(FIVE_MINUTES_MS),
  boundMs: GRADING_BOUND_MS,
  keyColumns: ['course_id'],
  key: (submitted) => submitted.course_id,
  leftMatchKey: (submitted) => twoPartKey(submitted.user_id, submitted.submission_id),
  rightMatchKey: (graded) => twoPartKey(graded.user_id, graded.submission_id),
  aggregate: {
    init: () => ({ submitted: 0, graded: 0, delaySumMs: 0 }),
    add(state, delayMs) {
      state.submitted++;
      if (delayMs < 0) return;
      state.graded++;
      state.delaySumMs += delayMs;
    },
    merge(into, from) {
      into.submitted += from.submitted;
      into.graded += from.graded;
      into.delaySumMs += from.delaySumMs;
    },
    partial: (state) => ({
      submitted: state.submitted,
      graded: state.graded,
      _grade_delay_ms_sum: state.delaySumMs,
    }),
  },
  merge: { submitted: 'sum', graded: 'sum', _grade_delay_ms_sum: 'sum' },
  mergeColumnTypes: { _grade_delay_ms_sum: 'int64' },
  finish: (row) => {
    const avgMs = ratio(row._grade_delay_ms_sum!, row.graded!);
    return {
      pending: Number(row.submitted) - Number(row.graded),
      avg_minutes_to_grade: avgMs === null ? null : avgMs / 60_000,
    };
  },
});
