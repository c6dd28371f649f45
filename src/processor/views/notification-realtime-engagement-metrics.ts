/** views.md | notification_realtime_engagement_metrics | T5 | user_id | notification_delivered, notification_clicked | delivered, clicked, click_rate | */
import { ratio } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS } from './common.ts';

export default windowView({
  name: 'notification_realtime_engagement_metrics',
  inputTypes: ['notification_delivered', 'notification_clicked'],
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: ['user_id'],
  key: (event) => event.user_id,
  aggregate: {
    init: () => ({ delivered: 0, clicked: 0 }),
    add(state, event) {
      if (event.event_type === 'notification_delivered') state.delivered++;
      else state.clicked++;
    },
    merge(into, from) {
      into.delivered += from.delivered;
      into.clicked += from.clicked;
    },
    partial: (state) => ({ delivered: state.delivered, clicked: state.clicked }),
  },
  merge: { delivered: 'sum', clicked: 'sum' },
  finish: (row) => ({ click_rate: ratio(row.clicked!, row.delivered!) }),
});
