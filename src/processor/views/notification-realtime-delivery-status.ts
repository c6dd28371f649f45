/**
 * views.md | notification_realtime_delivery_status | T1 of the sent time, JOIN(10 min) | channel (the
 * sent event's) | notification_sent, notification_delivered | sent, delivered, undelivered,
 * avg_delivery_seconds, max_delivery_seconds |
 * Match: same user_id and notification_id, delivered time in [sent, sent + 10 min].
 */
import { ratio } from '../engine/aggregate.ts';
import { joinView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS, twoPartKey } from './common.ts';

const DELIVERY_BOUND_MS = 10 * 60_000;

export default joinView({
  name: 'notification_realtime_delivery_status',
  leftType: 'notification_sent',
  rightType: 'notification_delivered',
  window: tumbling(ONE_MINUTE_MS),
  boundMs: DELIVERY_BOUND_MS,
  keyColumns: ['channel'],
  key: (sent) => sent.channel,
  leftMatchKey: (sent) => twoPartKey(sent.user_id, sent.notification_id),
  rightMatchKey: (delivered) => twoPartKey(delivered.user_id, delivered.notification_id),
  aggregate: {
    init: () => ({ sent: 0, delivered: 0, delaySumMs: 0, delayMaxMs: -1 }),
    add(state, delayMs) {
      state.sent++;
      if (delayMs < 0) return;
      state.delivered++;
      state.delaySumMs += delayMs;
      if (delayMs > state.delayMaxMs) state.delayMaxMs = delayMs;
    },
    merge(into, from) {
      into.sent += from.sent;
      into.delivered += from.delivered;
      into.delaySumMs += from.delaySumMs;
      if (from.delayMaxMs > into.delayMaxMs) into.delayMaxMs = from.delayMaxMs;
    },
    partial: (state) => ({
      sent: state.sent,
      delivered: state.delivered,
      _delivery_ms_sum: state.delaySumMs,
      max_delivery_seconds: state.delayMaxMs < 0 ? null : state.delayMaxMs / 1000,
    }),
  },
  merge: { sent: 'sum', delivered: 'sum', _delivery_ms_sum: 'sum', max_delivery_seconds: 'max' },
  mergeColumnTypes: { _delivery_ms_sum: 'int64' },
  finish: (row) => {
    const avgMs = ratio(row._delivery_ms_sum!, row.delivered!);
    return {
      undelivered: Number(row.sent) - Number(row.delivered),
      avg_delivery_seconds: avgMs === null ? null : avgMs / 1000,
    };
  },
});
