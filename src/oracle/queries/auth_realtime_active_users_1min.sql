-- T1, no key, over all auth events.
SELECT
  tumbling_start(event_time_ms, 60000) AS window_start,
  window_start + 60000                 AS window_end,
  count(DISTINCT user_id)              AS active_users,
  count(*)                             AS events
FROM events
WHERE topic = 'lms.auth'
GROUP BY window_start
