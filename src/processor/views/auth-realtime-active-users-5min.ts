/** docs/contract/views.md | auth_realtime_active_users_5min | S5/1 | — | all auth events | active_users, events | */
import { count, distinct } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { sliding } from '../engine/windows.ts';
import { AUTH_TYPES, FIVE_MINUTES_MS, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'auth_realtime_active_users_5min',
  inputTypes: AUTH_TYPES,
  window: sliding(FIVE_MINUTES_MS, ONE_MINUTE_MS),
}).select({ active_users: distinct((event) => event.user_id), events: count() });
