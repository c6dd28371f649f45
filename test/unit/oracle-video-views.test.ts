import { describe, it } from 'vitest';
import { MINUTE, RecordLog, SECOND, T0, expectRows } from '../fixtures/oracle/record-log.ts';

const T5 = 5 * MINUTE;
const video = (userId: string, videoId: string, extra: Record<string, unknown> = {}) => ({
  user_id: userId,
  course_id: 'c-1',
  video_id: videoId,
  ...extra,
});

describe('oracle video views', () => {
  it('video_realtime_viewers_1min sums heartbeat watch time, 0 in a minute without heartbeats', async () => {
    const log = new RecordLog();
    log.event('video_heartbeat', T0, video('u-1', 'v-1', { watched_s: 10 }));
    log.event('video_heartbeat', T0 + 10 * SECOND, video('u-1', 'v-1', { watched_s: 12.5 }));
    log.event('video_seek', T0 + 20 * SECOND, video('u-2', 'v-1'));
    log.event('video_play', T0 + MINUTE, video('u-2', 'v-1'));
    expectRows(await log.run(), 'video_realtime_viewers_1min', [
      { window_start: T0, window_end: T0 + MINUTE, active_viewers: 2, watch_seconds: 22.5, events: 3 },
      {
        window_start: T0 + MINUTE,
        window_end: T0 + 2 * MINUTE,
        active_viewers: 1,
        watch_seconds: 0,
        events: 1,
      },
    ]);
  });

  it('video_realtime_watch_time_5min averages watch time per distinct viewer of each (course, video)', async () => {
    const log = new RecordLog();
    log.event('video_heartbeat', T0, video('u-1', 'v-1', { watched_s: 10 }));
    log.event('video_heartbeat', T0 + MINUTE, video('u-1', 'v-1', { watched_s: 12.5 }));
    log.event('video_heartbeat', T0 + 2 * MINUTE, video('u-2', 'v-1', { watched_s: 5 }));
    log.event('video_heartbeat', T0 + 2 * MINUTE, video('u-1', 'v-2', { watched_s: 0 }));
    log.event('video_play', T0 + 2 * MINUTE, video('u-3', 'v-3')); // not an input
    const row = (videoId: string, viewers: number, watchSeconds: number) => ({
      window_start: T0,
      window_end: T0 + T5,
      course_id: 'c-1',
      video_id: videoId,
      viewers,
      watch_seconds: watchSeconds,
      avg_watch_seconds_per_viewer: watchSeconds / viewers,
    });
    expectRows(await log.run(), 'video_realtime_watch_time_5min', [row('v-1', 2, 27.5), row('v-2', 1, 0)]);
  });

  it('video_realtime_engagement_rate: rates over plays, null for a video paused but never played', async () => {
    const log = new RecordLog();
    log.event('video_play', T0, video('u-1', 'v-1'));
    log.event('video_play', T0 + SECOND, video('u-2', 'v-1'));
    log.event('video_pause', T0 + 2 * SECOND, video('u-1', 'v-1'));
    log.event('video_complete', T0 + 3 * SECOND, video('u-2', 'v-1'));
    log.event('video_heartbeat', T0 + 3 * SECOND, video('u-2', 'v-1')); // not an input
    log.event('video_pause', T0 + 4 * SECOND, video('u-1', 'v-2'));
    const row = (videoId: string, values: Record<string, number | null>) => ({
      window_start: T0,
      window_end: T0 + T5,
      video_id: videoId,
      ...values,
    });
    expectRows(await log.run(), 'video_realtime_engagement_rate', [
      row('v-1', { plays: 2, pauses: 1, completes: 1, completion_rate: 0.5, pause_rate: 0.5 }),
      row('v-2', { plays: 0, pauses: 1, completes: 0, completion_rate: null, pause_rate: null }),
    ]);
  });

  it('video_realtime_concurrent_viewers counts distinct heartbeating users and videos per minute', async () => {
    const log = new RecordLog();
    log.event('video_heartbeat', T0, video('u-1', 'v-1'));
    log.event('video_heartbeat', T0 + SECOND, video('u-1', 'v-2'));
    log.event('video_heartbeat', T0 + 2 * SECOND, video('u-2', 'v-1'));
    log.event('video_play', T0 + 3 * SECOND, video('u-3', 'v-3')); // not an input
    expectRows(await log.run(), 'video_realtime_concurrent_viewers', [
      { window_start: T0, window_end: T0 + MINUTE, concurrent_viewers: 2, videos_playing: 2 },
    ]);
  });
});

describe('oracle video_realtime_popular_videos (top 10 per 5-min window)', () => {
  const top = (windowStartMs: number, ranked: [string, number, number][]) =>
    ranked.map(([videoId, plays, viewers], index) => ({
      window_start: windowStartMs,
      window_end: windowStartMs + T5,
      rank: index + 1,
      video_id: videoId,
      plays,
      viewers,
    }));

  it('ranks by plays, breaks ties by video_id, keeps 10 of 12 videos and fewer when fewer played', async () => {
    const log = new RecordLog();
    log.event('video_play', T0, video('u-1', 'v-03'));
    log.event('video_play', T0, video('u-1', 'v-03'));
    log.event('video_play', T0, video('u-2', 'v-03'));
    for (const videoId of ['v-02', 'v-01']) {
      log.event('video_play', T0 + SECOND, video('u-1', videoId));
      log.event('video_play', T0 + SECOND, video('u-2', videoId));
    }
    for (let n = 12; n >= 4; n--)
      log.event('video_play', T0 + 2 * SECOND, video('u-3', `v-${String(n).padStart(2, '0')}`));
    log.event('video_pause', T0 + 2 * SECOND, video('u-3', 'v-00')); // not an input
    log.event('video_play', T0 + T5, video('u-1', 'v-b'));
    log.event('video_play', T0 + T5, video('u-1', 'v-a'));
    expectRows(await log.run(), 'video_realtime_popular_videos', [
      ...top(T0, [
        ['v-03', 3, 2],
        ['v-01', 2, 2],
        ['v-02', 2, 2],
        ['v-04', 1, 1],
        ['v-05', 1, 1],
        ['v-06', 1, 1],
        ['v-07', 1, 1],
        ['v-08', 1, 1],
        ['v-09', 1, 1],
        ['v-10', 1, 1],
      ]),
      ...top(T0 + T5, [
        ['v-a', 1, 1],
        ['v-b', 1, 1],
      ]),
    ]);
  });

  it('breaks ties in UTF-16 code unit order: a supplementary character before U+E000', async () => {
    const log = new RecordLog();
    for (const videoId of ['\uE000', '😀', 'z']) log.event('video_play', T0, video('u-1', videoId));
    // UTF-16: 'z' (007A) < '😀' (D83D DE00) < '\uE000'; code point (UTF-8) order would put U+E000 second.
    expectRows(
      await log.run(),
      'video_realtime_popular_videos',
      top(T0, [
        ['z', 1, 1],
        ['😀', 1, 1],
        ['\uE000', 1, 1],
      ]),
    );
  });
});
