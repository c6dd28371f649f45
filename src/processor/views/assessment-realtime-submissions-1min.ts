/**
 * docs/contract/views.md | assessment_realtime_submissions_1min | T1 | course_id | assignment_submitted,
 * quiz_completed, assignment_graded | submissions, scored, avg/min/max_score_pct over scored events |
 */
import type { EventOf } from '../../events/types.ts';
import { countIf, derived, max, min, ratio, sum } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS, scorePct } from './common.ts';

/** The score of quiz_completed and assignment_graded events; submissions have none. */
function scoredPct(event: EventOf<'assignment_submitted' | 'quiz_completed' | 'assignment_graded'>) {
  return event.event_type === 'assignment_submitted' ? null : scorePct(event);
}

export default windowView({
  name: 'assessment_realtime_submissions_1min',
  inputTypes: ['assignment_submitted', 'quiz_completed', 'assignment_graded'],
  window: tumbling(ONE_MINUTE_MS),
  key: (event) => event.course_id,
}).select({
  submissions: countIf((event) => event.event_type !== 'assignment_graded'),
  scored: countIf((event) => event.event_type !== 'assignment_submitted'),
  _score_pct_sum: sum(scoredPct, 'double'),
  avg_score_pct: derived((row) => ratio(row._score_pct_sum, row.scored)),
  min_score_pct: min(scoredPct),
  max_score_pct: max(scoredPct),
});
