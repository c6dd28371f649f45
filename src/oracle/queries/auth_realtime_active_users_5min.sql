-- S5/1, no key, over all auth events: each event counts in its five windows.
WITH windowed AS (
  SELECT unnest(sliding_starts(event_time_ms, 300000, 60000)) AS window_start, user_id
  FROM events
  WHERE topic = 'lms.auth'
)
SELECT
  window_start,
  window_start + 300000   AS window_end,
  count(DISTINCT user_id) AS active_users,
  count(*)                AS events
FROM windowed
GROUP BY window_start
