/** docs/contract/views.md | auth_realtime_active_users_1min | T1 | — | all auth events | active_users, events | */
import { count, distinct } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { AUTH_TYPES, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'auth_realtime_active_users_1min',
  inputTypes: AUTH_TYPES,
  window: tumbling(ONE_MINUTE_MS),
}).select({ active_users: distinct((event) => event.user_id), events: count() });
