-- T1, no key, over video_heartbeat.
SELECT
  tumbling_start(event_time_ms, 60000) AS window_start,
  window_start + 60000                 AS window_end,
  count(DISTINCT user_id)              AS concurrent_viewers,
  count(DISTINCT video_id)             AS videos_playing
FROM events
WHERE event_type = 'video_heartbeat'
GROUP BY window_start
