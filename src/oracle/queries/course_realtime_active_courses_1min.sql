-- T1 per course_id over all course events.
SELECT
  tumbling_start(event_time_ms, 60000) AS window_start,
  window_start + 60000                 AS window_end,
  course_id,
  count(*)                             AS interactions,
  count(DISTINCT user_id)              AS active_users
FROM events
WHERE topic = 'lms.course'
GROUP BY window_start, course_id
