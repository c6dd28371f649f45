/** docs/contract/views.md | course_realtime_active_courses_1min | T1 | course_id | all course events | interactions, active_users | */
import { count, distinct } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { COURSE_TYPES, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'course_realtime_active_courses_1min',
  inputTypes: COURSE_TYPES,
  window: tumbling(ONE_MINUTE_MS),
  key: (event) => event.course_id,
}).select({ interactions: count(), active_users: distinct((event) => event.user_id) });
