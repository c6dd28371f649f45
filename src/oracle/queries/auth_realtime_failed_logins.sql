-- T1 per user_id over login_failure.
SELECT
  tumbling_start(event_time_ms, 60000) AS window_start,
  window_start + 60000                 AS window_end,
  user_id,
  count(*)                             AS failed_attempts,
  count(DISTINCT ip)                   AS distinct_ips,
  failed_attempts >= 5                 AS suspected_brute_force
FROM events
WHERE event_type = 'login_failure'
GROUP BY window_start, user_id
