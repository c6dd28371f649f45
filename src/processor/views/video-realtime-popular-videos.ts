/**
 * docs/contract/views.md | video_realtime_popular_videos | T5 | rank | video_play | top 10 by plays: rank, video_id,
 * plays, viewers; plays desc, then video_id asc |
 * A partial result keeps every video's plays and viewers (in the rank-1 row's `_plays_by_video`, a JSON
 * object video_id → [plays, viewers]), since the global top 10 is ranked from the merged counts.
 */
import { count, distinct } from '../engine/columns.ts';
import { topView } from '../engine/top-view.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS } from './common.ts';

export default topView({
  name: 'video_realtime_popular_videos',
  inputTypes: ['video_play'],
  window: tumbling(FIVE_MINUTES_MS),
  groupBy: { video_id: (event) => event.video_id },
  rankBy: 'plays',
  limit: 10,
  allGroupsColumn: '_plays_by_video',
}).select({
  plays: count(),
  // Viewers of one video add across partial rows: a user's plays sit in one partition.
  viewers: distinct((event) => event.user_id),
});
