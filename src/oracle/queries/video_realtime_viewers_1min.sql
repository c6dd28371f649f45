-- T1, no key, over all video events. watch_seconds sums heartbeats' watched_s; 0 when there are none.
SELECT
  tumbling_start(event_time_ms, 60000)                                               AS window_start,
  window_start + 60000                                                               AS window_end,
  count(DISTINCT user_id)                                                            AS active_viewers,
  coalesce(sum(watched_s) FILTER (WHERE event_type = 'video_heartbeat'), 0)::DOUBLE AS watch_seconds,
  count(*)                                                                           AS events
FROM events
WHERE topic = 'lms.video'
GROUP BY window_start
