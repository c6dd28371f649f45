/** docs/contract/views.md | video_realtime_viewers_1min | T1 | — | all video events | active_viewers, watch_seconds (heartbeats' watched_s), events | */
import { count, distinct, sum } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS, VIDEO_TYPES } from './common.ts';

export default windowView({
  name: 'video_realtime_viewers_1min',
  inputTypes: VIDEO_TYPES,
  window: tumbling(ONE_MINUTE_MS),
}).select({
  active_viewers: distinct((event) => event.user_id),
  watch_seconds: sum((event) => (event.event_type === 'video_heartbeat' ? event.watched_s : null)),
  events: count(),
});
