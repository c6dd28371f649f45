/** views.md | auth_realtime_active_users_5min | S5/1 | — | all auth events | active_users, events | */
import { windowView } from '../engine/view-definition.ts';
import { sliding } from '../engine/windows.ts';
import { AUTH_TYPES, FIVE_MINUTES_MS, noKey, ONE_MINUTE_MS, usersAndCount } from './common.ts';

export default windowView({
  name: 'auth_realtime_active_users_5min',
  inputTypes: AUTH_TYPES,
  window: sliding(FIVE_MINUTES_MS, ONE_MINUTE_MS),
  keyColumns: [],
  key: noKey,
  aggregate: usersAndCount('active_users', 'events'),
  merge: { active_users: 'sum', events: 'sum' },
  finish: () => ({}),
});
