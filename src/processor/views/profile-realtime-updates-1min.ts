/** views.md | profile_realtime_updates_1min | T1 | — | profile_updated, preferences_updated | updates, distinct_users, fields_changed (sum of lengths of fields) | */
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { noKey, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'profile_realtime_updates_1min',
  inputTypes: ['profile_updated', 'preferences_updated'],
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: [],
  key: noKey,
  aggregate: {
    init: () => ({ updates: 0, users: new Set<string>(), fieldsChanged: 0 }),
    add(state, event) {
      state.updates++;
      state.users.add(event.user_id);
      state.fieldsChanged += event.fields.length;
    },
    merge(into, from) {
      into.updates += from.updates;
      for (const user of from.users) into.users.add(user);
      into.fieldsChanged += from.fieldsChanged;
    },
    partial: (state) => ({
      updates: state.updates,
      distinct_users: state.users.size,
      fields_changed: state.fieldsChanged,
    }),
  },
  merge: { updates: 'sum', distinct_users: 'sum', fields_changed: 'sum' },
  finish: () => ({}),
});
