/** docs/contract/views.md | course_realtime_enrollment_rate | T5 | course_id | course_enrolled, course_unenrolled | enrollments, unenrollments, net_enrollments | */
import { countIf, derived } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS } from './common.ts';

export default windowView({
  name: 'course_realtime_enrollment_rate',
  inputTypes: ['course_enrolled', 'course_unenrolled'],
  window: tumbling(FIVE_MINUTES_MS),
  key: (event) => event.course_id,
}).select({
  enrollments: countIf((event) => event.event_type === 'course_enrolled'),
  unenrollments: countIf((event) => event.event_type === 'course_unenrolled'),
  net_enrollments: derived((row) => Number(row.enrollments) - Number(row.unenrollments)),
});
