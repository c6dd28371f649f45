/** docs/contract/views.md | notification_realtime_click_rate_5min | T5 | channel | notification_delivered, notification_clicked | delivered, clicked, ctr | */
import { countIf, derived, ratio } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS } from './common.ts';

export default windowView({
  name: 'notification_realtime_click_rate_5min',
  inputTypes: ['notification_delivered', 'notification_clicked'],
  window: tumbling(FIVE_MINUTES_MS),
  key: (event) => event.channel,
}).select({
  delivered: countIf((event) => event.event_type === 'notification_delivered'),
  clicked: countIf((event) => event.event_type === 'notification_clicked'),
  ctr: derived((row) => ratio(row.clicked, row.delivered)),
});
