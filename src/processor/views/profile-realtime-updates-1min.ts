/** docs/contract/views.md | profile_realtime_updates_1min | T1 | — | profile_updated, preferences_updated | updates, distinct_users, fields_changed (sum of lengths of fields) | */
import { count, distinct, sum } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'profile_realtime_updates_1min',
  inputTypes: ['profile_updated', 'preferences_updated'],
  window: tumbling(ONE_MINUTE_MS),
}).select({
  updates: count(),
  distinct_users: distinct((event) => event.user_id),
  fields_changed: sum((event) => event.fields.length),
});
