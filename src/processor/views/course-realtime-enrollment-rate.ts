/** views.md | course_realtime_enrollment_rate | T5 | course_id | course_enrolled, course_unenrolled | enrollments, unenrollments, net_enrollments | */
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS } from './common.ts';

export default windowView({
  name: 'course_realtime_enrollment_rate',
  inputTypes: ['course_enrolled', 'course_unenrolled'],
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: ['course_id'],
  key: (event) => event.course_id,
  aggregate: {
    init: () => ({ enrollments: 0, unenrollments: 0 }),
    add(state, event) {
      if (event.event_type === 'course_enrolled') state.enrollments++;
      else state.unenrollments++;
    },
    merge(into, from) {
      into.enrollments += from.enrollments;
      into.unenrollments += from.unenrollments;
    },
    partial: (state) => ({ enrollments: state.enrollments, unenrollments: state.unenrollments }),
  },
  merge: { enrollments: 'sum', unenrollments: 'sum' },
  finish: (row) => ({ net_enrollments: Number(row.enrollments) - Number(row.unenrollments) }),
});
