-- T1, no key, over profile_updated and preferences_updated; fields_count = length of `fields`.
SELECT
  tumbling_start(event_time_ms, 60000) AS window_start,
  window_start + 60000                 AS window_end,
  count(*)                             AS updates,
  count(DISTINCT user_id)              AS distinct_users,
  sum(fields_count)                    AS fields_changed
FROM events
WHERE topic = 'lms.profile'
GROUP BY window_start
