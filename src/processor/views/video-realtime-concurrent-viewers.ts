/**
 * views.md | video_realtime_concurrent_viewers | T1 | — | video_heartbeat | concurrent_viewers,
 * videos_playing (distinct video_ids: not keyed by user, so partial rows carry the id set) |
 */
import { idsColumn, idsOf } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { noKey, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'video_realtime_concurrent_viewers',
  inputTypes: ['video_heartbeat'],
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: [],
  key: noKey,
  aggregate: {
    init: () => ({ users: new Set<string>(), videos: new Set<string>() }),
    add(state, event) {
      state.users.add(event.user_id);
      state.videos.add(event.video_id);
    },
    merge(into, from) {
      for (const user of from.users) into.users.add(user);
      for (const video of from.videos) into.videos.add(video);
    },
    partial: (state) => ({ concurrent_viewers: state.users.size, _video_ids: idsColumn(state.videos) }),
  },
  merge: { concurrent_viewers: 'sum', _video_ids: 'union' },
  mergeColumnTypes: { _video_ids: 'json' },
  finish: (row) => ({ videos_playing: idsOf(row._video_ids!).length }),
});
