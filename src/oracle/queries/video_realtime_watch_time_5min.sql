-- T5 per (course_id, video_id) over video_heartbeat.
SELECT
  tumbling_start(event_time_ms, 300000)   AS window_start,
  window_start + 300000                   AS window_end,
  course_id,
  video_id,
  count(DISTINCT user_id)                 AS viewers,
  sum(watched_s)                          AS watch_seconds,
  watch_seconds / NULLIF(viewers, 0)      AS avg_watch_seconds_per_viewer
FROM events
WHERE event_type = 'video_heartbeat'
GROUP BY window_start, course_id, video_id
