import { describe, it } from 'vitest';
import { MINUTE, RecordLog, SECOND, T0, expectRows } from '../fixtures/oracle/record-log.ts';

const T5 = 5 * MINUTE;
const note = (userId: string, notificationId: string, channel: string) => ({
  user_id: userId,
  notification_id: notificationId,
  channel,
});

describe('oracle profile and notification views', () => {
  it('profile_realtime_updates_1min sums the lengths of `fields` over both update types', async () => {
    const log = new RecordLog();
    log.event('profile_updated', T0, { user_id: 'u-1', fields: ['display_name', 'avatar'] });
    log.event('preferences_updated', T0 + SECOND, { user_id: 'u-1', fields: ['language'] });
    log.event('profile_updated', T0 + 2 * SECOND, { user_id: 'u-2', fields: ['a', 'b', 'c'] });
    const twenty = Array.from({ length: 20 }, (_, i) => `f${i}`);
    log.event('preferences_updated', T0 + MINUTE, { user_id: 'u-2', fields: twenty });
    expectRows(await log.run(), 'profile_realtime_updates_1min', [
      { window_start: T0, window_end: T0 + MINUTE, updates: 3, distinct_users: 2, fields_changed: 6 },
      {
        window_start: T0 + MINUTE,
        window_end: T0 + 2 * MINUTE,
        updates: 1,
        distinct_users: 1,
        fields_changed: 20,
      },
    ]);
  });

  it('notification_realtime_sent_1min counts sent notifications per channel', async () => {
    const log = new RecordLog();
    log.event('notification_sent', T0, note('u-1', 'n-1', 'email'));
    log.event('notification_sent', T0 + SECOND, note('u-2', 'n-2', 'email'));
    log.event('notification_sent', T0 + 2 * SECOND, note('u-1', 'n-3', 'push'));
    log.event('notification_delivered', T0 + 3 * SECOND, note('u-1', 'n-1', 'in_app')); // not an input
    expectRows(await log.run(), 'notification_realtime_sent_1min', [
      { window_start: T0, window_end: T0 + MINUTE, channel: 'email', sent: 2 },
      { window_start: T0, window_end: T0 + MINUTE, channel: 'push', sent: 1 },
    ]);
  });

  it('notification_realtime_click_rate_5min: ctr null on a channel with clicks but no delivery', async () => {
    const log = new RecordLog();
    log.event('notification_delivered', T0, note('u-1', 'n-1', 'email'));
    log.event('notification_delivered', T0 + SECOND, note('u-2', 'n-2', 'email'));
    log.event('notification_clicked', T0 + 2 * SECOND, note('u-1', 'n-1', 'email'));
    log.event('notification_clicked', T0 + 3 * SECOND, note('u-1', 'n-4', 'push'));
    log.event('notification_sent', T0 + 4 * SECOND, note('u-1', 'n-5', 'in_app')); // not an input
    const row = (channel: string, delivered: number, clicked: number, ctr: number | null) => ({
      window_start: T0,
      window_end: T0 + T5,
      channel,
      delivered,
      clicked,
      ctr,
    });
    expectRows(await log.run(), 'notification_realtime_click_rate_5min', [
      row('email', 2, 1, 0.5),
      row('push', 0, 1, null),
    ]);
  });

  it('notification_realtime_engagement_metrics: click_rate per user, null without deliveries', async () => {
    const log = new RecordLog();
    log.event('notification_delivered', T0, note('u-1', 'n-1', 'email'));
    log.event('notification_clicked', T0 + SECOND, note('u-1', 'n-1', 'email'));
    log.event('notification_clicked', T0 + 2 * SECOND, note('u-1', 'n-1', 'push'));
    log.event('notification_clicked', T0 + 3 * SECOND, note('u-2', 'n-2', 'email'));
    const row = (userId: string, delivered: number, clicked: number, rate: number | null) => ({
      window_start: T0,
      window_end: T0 + T5,
      user_id: userId,
      delivered,
      clicked,
      click_rate: rate,
    });
    expectRows(await log.run(), 'notification_realtime_engagement_metrics', [
      row('u-1', 1, 2, 2),
      row('u-2', 0, 1, null),
    ]);
  });
});

describe('oracle notification_realtime_delivery_status (JOIN 10 min)', () => {
  it('matches a delivery at exactly +10 min, not 1 ms later, not before, not from another user, and takes the earliest', async () => {
    const log = new RecordLog();
    const on = (partition: number) => ({ partition });
    log.event('notification_sent', T0 + 10 * SECOND, note('u-1', 'n-1', 'email'), on(1));
    log.event('notification_delivered', T0 + 10 * MINUTE + 10 * SECOND, note('u-1', 'n-1', 'email'), on(1)); // +10 min
    log.event('notification_sent', T0 + 10 * SECOND, note('u-2', 'n-2', 'email'), on(2));
    log.event(
      'notification_delivered',
      T0 + 10 * MINUTE + 10 * SECOND + 1,
      note('u-2', 'n-2', 'email'),
      on(2),
    );
    log.event('notification_delivered', T0 + 20 * SECOND - 1, note('u-3', 'n-3', 'email'), on(3)); // before
    log.event('notification_sent', T0 + 20 * SECOND, note('u-3', 'n-3', 'email'), on(3));
    log.event('notification_sent', T0 + 20 * SECOND, note('u-4', 'n-4', 'push'), on(4));
    log.event('notification_delivered', T0 + 50 * SECOND, note('u-4', 'n-4', 'push'), on(4));
    log.event('notification_delivered', T0 + 30 * SECOND, note('u-4', 'n-4', 'push'), on(4)); // earliest: 10 s
    log.event('notification_sent', T0 + 30 * SECOND, note('u-5', 'n-5', 'push'), on(5));
    log.event('notification_delivered', T0 + 40 * SECOND, note('u-6', 'n-5', 'push'), on(6)); // another user
    log.event('notification_sent', T0 + 40 * SECOND, note('u-7', 'n-7', 'push'), on(7));
    log.event('notification_delivered', T0 + 70 * SECOND, note('u-7', 'n-7', 'in_app'), on(7)); // 30 s, sent's channel
    log.event('notification_sent', T0 + T5, note('u-8', 'n-8', 'email'), on(8)); // never delivered
    const row = (
      startMs: number,
      channel: string,
      counts: [number, number],
      avg: number | null,
      max: number | null,
    ) => ({
      window_start: startMs,
      window_end: startMs + MINUTE,
      channel,
      sent: counts[0],
      delivered: counts[1],
      undelivered: counts[0] - counts[1],
      avg_delivery_seconds: avg,
      max_delivery_seconds: max,
    });
    expectRows(await log.run(), 'notification_realtime_delivery_status', [
      row(T0, 'email', [3, 1], 600, 600),
      row(T0, 'push', [3, 2], (10 + 30) / 2, 30),
      row(T0 + T5, 'email', [1, 0], null, null),
    ]);
  });

  it('lets one delivery match two sends of the same notification', async () => {
    const log = new RecordLog();
    log.event('notification_sent', T0, note('u-1', 'n-1', 'email'));
    log.event('notification_sent', T0 + 30 * SECOND, note('u-1', 'n-1', 'email'));
    log.event('notification_delivered', T0 + 45 * SECOND, note('u-1', 'n-1', 'email'));
    expectRows(await log.run(), 'notification_realtime_delivery_status', [
      {
        window_start: T0,
        window_end: T0 + MINUTE,
        channel: 'email',
        sent: 2,
        delivered: 2,
        undelivered: 0,
        avg_delivery_seconds: (45 + 15) / 2,
        max_delivery_seconds: 45,
      },
    ]);
  });
});
