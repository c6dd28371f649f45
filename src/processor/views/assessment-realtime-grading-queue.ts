/**
 * docs/contract/views.md | assessment_realtime_grading_queue | T5 of the submission time, JOIN(30 min) | course_id |
 * assignment_submitted, assignment_graded | submitted, graded, pending, avg_minutes_to_grade |
 * Match: same user_id and submission_id, graded time in [submitted, submitted + 30 min].
 */
import { count, countIf, derived, dividedBy, ratio, sum } from '../engine/columns.ts';
import { joinView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, matched, matchedDelayMs, twoPartKey } from './common.ts';

export default joinView({
  name: 'assessment_realtime_grading_queue',
  leftType: 'assignment_submitted',
  rightType: 'assignment_graded',
  window: tumbling(FIVE_MINUTES_MS),
  boundMs: 30 * 60_000,
  key: (submitted) => submitted.course_id,
  leftMatchKey: (submitted) => twoPartKey(submitted.user_id, submitted.submission_id),
  rightMatchKey: (graded) => twoPartKey(graded.user_id, graded.submission_id),
}).select({
  submitted: count(),
  graded: countIf(matched),
  pending: derived((row) => Number(row.submitted) - Number(row.graded)),
  _grade_delay_ms_sum: sum(matchedDelayMs, 'int64'),
  avg_minutes_to_grade: derived((row) => dividedBy(ratio(row._grade_delay_ms_sum, row.graded), 60_000)),
});
