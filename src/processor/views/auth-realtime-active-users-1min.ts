/** views.md | auth_realtime_active_users_1min | T1 | — | all auth events | active_users, events | */
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { AUTH_TYPES, noKey, ONE_MINUTE_MS, usersAndCount } from './common.ts';

export default windowView({
  name: 'auth_realtime_active_users_1min',
  inputTypes: AUTH_TYPES,
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: [],
  key: noKey,
  aggregate: usersAndCount('active_users', 'events'),
  merge: { active_users: 'sum', events: 'sum' },
  finish: () => ({}),
});
