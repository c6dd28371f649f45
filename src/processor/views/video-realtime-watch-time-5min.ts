/** views.md | video_realtime_watch_time_5min | T5 | course_id, video_id | video_heartbeat | viewers, watch_seconds, avg_watch_seconds_per_viewer | */
import { ratio } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, twoPartKey } from './common.ts';

export default windowView({
  name: 'video_realtime_watch_time_5min',
  inputTypes: ['video_heartbeat'],
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: ['course_id', 'video_id'],
  key: (event) => twoPartKey(event.course_id, event.video_id),
  aggregate: {
    init: () => ({ users: new Set<string>(), watchSeconds: 0 }),
    add(state, event) {
      state.users.add(event.user_id);
      state.watchSeconds += event.watched_s;
    },
    merge(into, from) {
      for (const user of from.users) into.users.add(user);
      into.watchSeconds += from.watchSeconds;
    },
    partial: (state) => ({ viewers: state.users.size, watch_seconds: state.watchSeconds }),
  },
  merge: { viewers: 'sum', watch_seconds: 'sum' },
  finish: (row) => ({ avg_watch_seconds_per_viewer: ratio(row.watch_seconds!, row.viewers!) }),
});
