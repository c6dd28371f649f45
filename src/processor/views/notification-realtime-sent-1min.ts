/** views.md | notification_realtime_sent_1min | T1 | channel | notification_sent | sent | */
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { countOf, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'notification_realtime_sent_1min',
  inputTypes: ['notification_sent'],
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: ['channel'],
  key: (event) => event.channel,
  aggregate: countOf('sent'),
  merge: { sent: 'sum' },
  finish: () => ({}),
});
