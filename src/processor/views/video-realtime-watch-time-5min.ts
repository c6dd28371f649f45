/** docs/contract/views.md | video_realtime_watch_time_5min | T5 | course_id, video_id | video_heartbeat | viewers, watch_seconds, avg_watch_seconds_per_viewer | */
import { derived, distinct, ratio, sum } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, twoPartKey } from './common.ts';

export default windowView({
  name: 'video_realtime_watch_time_5min',
  inputTypes: ['video_heartbeat'],
  window: tumbling(FIVE_MINUTES_MS),
  key: (event) => twoPartKey(event.course_id, event.video_id),
}).select({
  viewers: distinct((event) => event.user_id),
  watch_seconds: sum((event) => event.watched_s),
  avg_watch_seconds_per_viewer: derived((row) => ratio(row.watch_seconds, row.viewers)),
});
