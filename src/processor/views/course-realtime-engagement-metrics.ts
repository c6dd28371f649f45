/** views.md | course_realtime_engagement_metrics | S5/1 | course_id | all course events | active_users, events, events_per_user | */
import { ratio } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { sliding } from '../engine/windows.ts';
import { COURSE_TYPES, FIVE_MINUTES_MS, ONE_MINUTE_MS, usersAndCount } from './common.ts';

export default windowView({
  name: 'course_realtime_engagement_metrics',
  inputTypes: COURSE_TYPES,
  window: sliding(FIVE_MINUTES_MS, ONE_MINUTE_MS),
  keyColumns: ['course_id'],
  key: (event) => event.course_id,
  aggregate: usersAndCount('active_users', 'events'),
  merge: { active_users: 'sum', events: 'sum' },
  finish: (row) => ({ events_per_user: ratio(row.events!, row.active_users!) }),
});
