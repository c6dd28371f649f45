/** views.md | video_realtime_viewers_1min | T1 | — | all video events | active_viewers, watch_seconds (heartbeats' watched_s), events | */
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { noKey, ONE_MINUTE_MS, VIDEO_TYPES } from './common.ts';

export default windowView({
  name: 'video_realtime_viewers_1min',
  inputTypes: VIDEO_TYPES,
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: [],
  key: noKey,
  aggregate: {
    init: () => ({ users: new Set<string>(), watchSeconds: 0, events: 0 }),
    add(state, event) {
      state.users.add(event.user_id);
      if (event.event_type === 'video_heartbeat') state.watchSeconds += event.watched_s;
      state.events++;
    },
    merge(into, from) {
      for (const user of from.users) into.users.add(user);
      into.watchSeconds += from.watchSeconds;
      into.events += from.events;
    },
    partial: (state) => ({
      active_viewers: state.users.size,
      watch_seconds: state.watchSeconds,
      events: state.events,
    }),
  },
  merge: { active_viewers: 'sum', watch_seconds: 'sum', events: 'sum' },
  finish: () => ({}),
});
