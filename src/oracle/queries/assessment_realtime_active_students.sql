-- T5 per course_id over all assessment events.
SELECT
  tumbling_start(event_time_ms, 300000) AS window_start,
  window_start + 300000                 AS window_end,
  course_id,
  count(DISTINCT user_id)               AS active_students
FROM events
WHERE topic = 'lms.assessment'
GROUP BY window_start, course_id
