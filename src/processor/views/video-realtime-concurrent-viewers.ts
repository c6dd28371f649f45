/**
 * docs/contract/views.md | video_realtime_concurrent_viewers | T1 | — | video_heartbeat | concurrent_viewers,
 * videos_playing (distinct video_ids: not keyed by user, so partial rows carry the id set) |
 */
import { derived, distinct, idCount, idSet } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'video_realtime_concurrent_viewers',
  inputTypes: ['video_heartbeat'],
  window: tumbling(ONE_MINUTE_MS),
}).select({
  concurrent_viewers: distinct((event) => event.user_id),
  _video_ids: idSet((event) => event.video_id),
  videos_playing: derived((row) => idCount(row._video_ids)),
});
