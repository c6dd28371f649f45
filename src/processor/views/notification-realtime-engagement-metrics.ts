/** views.md | notification_realtime_engagement_metrics | T5 | user_id | notification_delivered, notification_clicked | delivered, clicked, click_rate | */
import { ratio } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, deliveredAndClicked } from './common.ts';

export default windowView({
  name: 'notification_realtime_engagement_metrics',
  inputTypes: ['notification_delivered', 'notification_clicked'],
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: ['user_id'],
  key: (event) => event.user_id,
  aggregate: deliveredAndClicked,
  merge: { delivered: 'sum', clicked: 'sum' },
  finish: (row) => ({ click_rate: ratio(row.clicked!, row.delivered!) }),
});
