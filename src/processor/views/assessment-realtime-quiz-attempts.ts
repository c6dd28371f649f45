/**
 * docs/contract/views.md | assessment_realtime_quiz_attempts | T5 | course_id, assessment_id | quiz_started,
 * quiz_completed | started, completed, completion_rate, avg_score_pct over completed |
 */
import { countIf, derived, ratio, sum } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, scorePct, twoPartKey } from './common.ts';

export default windowView({
  name: 'assessment_realtime_quiz_attempts',
  inputTypes: ['quiz_started', 'quiz_completed'],
  window: tumbling(FIVE_MINUTES_MS),
  key: (event) => twoPartKey(event.course_id, event.assessment_id),
}).select({
  started: countIf((event) => event.event_type === 'quiz_started'),
  completed: countIf((event) => event.event_type === 'quiz_completed'),
  completion_rate: derived((row) => ratio(row.completed, row.started)),
  _score_pct_sum: sum((event) => (event.event_type === 'quiz_completed' ? scorePct(event) : null), 'double'),
  avg_score_pct: derived((row) => ratio(row._score_pct_sum, row.completed)),
});
