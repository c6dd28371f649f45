/**
 * docs/contract/views.md | notification_realtime_delivery_status | T1 of the sent time, JOIN(10 min) | channel (the
 * sent event's) | notification_sent, notification_delivered | sent, delivered, undelivered,
 * avg_delivery_seconds, max_delivery_seconds |
 * Match: same user_id and notification_id, delivered time in [sent, sent + 10 min].
 */
import { count, countIf, derived, dividedBy, max, ratio, sum } from '../engine/columns.ts';
import { joinView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { matched, matchedDelayMs, ONE_MINUTE_MS, twoPartKey } from './common.ts';

export default joinView({
  name: 'notification_realtime_delivery_status',
  leftType: 'notification_sent',
  rightType: 'notification_delivered',
  window: tumbling(ONE_MINUTE_MS),
  boundMs: 10 * 60_000,
  key: (sent) => sent.channel,
  leftMatchKey: (sent) => twoPartKey(sent.user_id, sent.notification_id),
  rightMatchKey: (delivered) => twoPartKey(delivered.user_id, delivered.notification_id),
}).select({
  sent: count(),
  delivered: countIf(matched),
  undelivered: derived((row) => Number(row.sent) - Number(row.delivered)),
  _delivery_ms_sum: sum(matchedDelayMs, 'int64'),
  avg_delivery_seconds: derived((row) => dividedBy(ratio(row._delivery_ms_sum, row.delivered), 1000)),
  max_delivery_seconds: max((delayMs) => dividedBy(matchedDelayMs(delayMs), 1000)),
});
