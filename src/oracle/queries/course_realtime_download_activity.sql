-- T1 per course_id over resource_downloaded. sum(bytes) is exact (DuckDB sums BIGINT as HUGEINT).
SELECT
  tumbling_start(event_time_ms, 60000) AS window_start,
  window_start + 60000                 AS window_end,
  course_id,
  count(*)                             AS downloads,
  sum(bytes)                           AS bytes,
  count(DISTINCT user_id)              AS distinct_users
FROM events
WHERE event_type = 'resource_downloaded'
GROUP BY window_start, course_id
