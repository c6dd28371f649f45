/** docs/contract/views.md | notification_realtime_engagement_metrics | T5 | user_id | notification_delivered, notification_clicked | delivered, clicked, click_rate | */
import { countIf, derived, ratio } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS } from './common.ts';

export default windowView({
  name: 'notification_realtime_engagement_metrics',
  inputTypes: ['notification_delivered', 'notification_clicked'],
  window: tumbling(FIVE_MINUTES_MS),
  key: (event) => event.user_id,
}).select({
  delivered: countIf((event) => event.event_type === 'notification_delivered'),
  clicked: countIf((event) => event.event_type === 'notification_clicked'),
  click_rate: derived((row) => ratio(row.clicked, row.delivered)),
});
