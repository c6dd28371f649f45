/** views.md | assessment_realtime_active_students | T5 | course_id | all assessment events | active_students | */
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ASSESSMENT_TYPES, FIVE_MINUTES_MS, usersAndCount } from './common.ts';

export default windowView({
  name: 'assessment_realtime_active_students',
  inputTypes: ASSESSMENT_TYPES,
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: ['course_id'],
  key: (event) => event.course_id,
  aggregate: usersAndCount('active_students', '_events'),
  merge: { active_students: 'sum', _events: 'sum' },
  mergeColumnTypes: { _events: 'int64' },
  finish: () => ({}),
});
