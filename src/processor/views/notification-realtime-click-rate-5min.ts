/** views.md | notification_realtime_click_rate_5min | T5 | channel | notification_delivered, notification_clicked | delivered, clicked, ctr | */
import { ratio } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, deliveredAndClicked } from './common.ts';

export default windowView({
  name: 'notification_realtime_click_rate_5min',
  inputTypes: ['notification_delivered', 'notification_clicked'],
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: ['channel'],
  key: (event) => event.channel,
  aggregate: deliveredAndClicked,
  merge: { delivered: 'sum', clicked: 'sum' },
  finish: (row) => ({ ctr: ratio(row.clicked!, row.delivered!) }),
});
