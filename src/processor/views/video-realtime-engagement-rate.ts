/** views.md | video_realtime_engagement_rate | T5 | video_id | video_play, video_pause, video_complete | plays, pauses, completes, completion_rate, pause_rate | */
import { ratio } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS } from './common.ts';

export default windowView({
  name: 'video_realtime_engagement_rate',
  inputTypes: ['video_play', 'video_pause', 'video_complete'],
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: ['video_id'],
  key: (event) => event.video_id,
  aggregate: {
    init: () => ({ plays: 0, pauses: 0, completes: 0 }),
    add(state, event) {
      if (event.event_type === 'video_play') state.plays++;
      else if (event.event_type === 'video_pause') state.pauses++;
      else state.completes++;
    },
    merge(into, from) {
      into.plays += from.plays;
      into.pauses += from.pauses;
      into.completes += from.completes;
    },
    partial: (state) => ({ plays: state.plays, pauses: state.pauses, completes: state.completes }),
  },
  merge: { plays: 'sum', pauses: 'sum', completes: 'sum' },
  finish: (row) => ({
    completion_rate: ratio(row.completes!, row.plays!),
    pause_rate: ratio(row.pauses!, row.plays!),
  }),
});
