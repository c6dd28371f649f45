/** views.md | assessment_realtime_submission_rate | S5/1 | course_id | assignment_submitted | submissions, submissions_per_minute | */
import { windowView } from '../engine/view-definition.ts';
import { sliding } from '../engine/windows.ts';
import { countOf, FIVE_MINUTES_MS, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'assessment_realtime_submission_rate',
  inputTypes: ['assignment_submitted'],
  window: sliding(FIVE_MINUTES_MS, ONE_MINUTE_MS),
  keyColumns: ['course_id'],
  key: (event) => event.course_id,
  aggregate: countOf('submissions'),
  merge: { submissions: 'sum' },
  finish: (row) => ({ submissions_per_minute: Number(row.submissions) / 5 }),
});
