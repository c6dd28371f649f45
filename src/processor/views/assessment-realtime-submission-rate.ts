/** docs/contract/views.md | assessment_realtime_submission_rate | S5/1 | course_id | assignment_submitted | submissions, submissions_per_minute | */
import { count, derived } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { sliding } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'assessment_realtime_submission_rate',
  inputTypes: ['assignment_submitted'],
  window: sliding(FIVE_MINUTES_MS, ONE_MINUTE_MS),
  key: (event) => event.course_id,
}).select({
  submissions: count(),
  submissions_per_minute: derived((row) => Number(row.submissions) / 5),
});
