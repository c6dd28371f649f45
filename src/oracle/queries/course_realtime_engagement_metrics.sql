-- S5/1 per course_id over all course events.
WITH windowed AS (
  SELECT unnest(sliding_starts(event_time_ms, 300000, 60000)) AS window_start, course_id, user_id
  FROM events
  WHERE topic = 'lms.course'
)
SELECT
  window_start,
  window_start + 300000                   AS window_end,
  course_id,
  count(DISTINCT user_id)                 AS active_users,
  count(*)                                AS events,
  events::DOUBLE / NULLIF(active_users, 0) AS events_per_user
FROM windowed
GROUP BY window_start, course_id
