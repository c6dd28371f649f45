/** docs/contract/views.md | course_realtime_engagement_metrics | S5/1 | course_id | all course events | active_users, events, events_per_user | */
import { count, derived, distinct, ratio } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { sliding } from '../engine/windows.ts';
import { COURSE_TYPES, FIVE_MINUTES_MS, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'course_realtime_engagement_metrics',
  inputTypes: COURSE_TYPES,
  window: sliding(FIVE_MINUTES_MS, ONE_MINUTE_MS),
  key: (event) => event.course_id,
}).select({
  active_users: distinct((event) => event.user_id),
  events: count(),
  events_per_user: derived((row) => ratio(row.events, row.active_users)),
});
