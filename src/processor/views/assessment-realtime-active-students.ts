/** docs/contract/views.md | assessment_realtime_active_students | T5 | course_id | all assessment events | active_students | */
import { count, distinct } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ASSESSMENT_TYPES, FIVE_MINUTES_MS } from './common.ts';

export default windowView({
  name: 'assessment_realtime_active_students',
  inputTypes: ASSESSMENT_TYPES,
  window: tumbling(FIVE_MINUTES_MS),
  key: (event) => event.course_id,
}).select({ active_students: distinct((event) => event.user_id), _events: count() });
