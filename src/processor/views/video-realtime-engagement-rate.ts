/** docs/contract/views.md | video_realtime_engagement_rate | T5 | video_id | video_play, video_pause, video_complete | plays, pauses, completes, completion_rate, pause_rate | */
import { countIf, derived, ratio } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS } from './common.ts';

export default windowView({
  name: 'video_realtime_engagement_rate',
  inputTypes: ['video_play', 'video_pause', 'video_complete'],
  window: tumbling(FIVE_MINUTES_MS),
  key: (event) => event.video_id,
}).select({
  plays: countIf((event) => event.event_type === 'video_play'),
  pauses: countIf((event) => event.event_type === 'video_pause'),
  completes: countIf((event) => event.event_type === 'video_complete'),
  completion_rate: derived((row) => ratio(row.completes, row.plays)),
  pause_rate: derived((row) => ratio(row.pauses, row.plays)),
});
