/** docs/contract/views.md | notification_realtime_sent_1min | T1 | channel | notification_sent | sent | */
import { count } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'notification_realtime_sent_1min',
  inputTypes: ['notification_sent'],
  window: tumbling(ONE_MINUTE_MS),
  key: (event) => event.channel,
}).select({ sent: count() });
