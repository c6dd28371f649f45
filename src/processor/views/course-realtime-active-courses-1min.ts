/** views.md | course_realtime_active_courses_1min | T1 | course_id | all course events | interactions, active_users | */
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { COURSE_TYPES, ONE_MINUTE_MS, usersAndCount } from './common.ts';

export default windowView({
  name: 'course_realtime_active_courses_1min',
  inputTypes: COURSE_TYPES,
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: ['course_id'],
  key: (event) => event.course_id,
  aggregate: usersAndCount('active_users', 'interactions'),
  merge: { interactions: 'sum', active_users: 'sum' },
  finish: () => ({}),
});
