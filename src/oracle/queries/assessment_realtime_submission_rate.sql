-- S5/1 per course_id over assignment_submitted.
WITH windowed AS (
  SELECT unnest(sliding_starts(event_time_ms, 300000, 60000)) AS window_start, course_id
  FROM events
  WHERE event_type = 'assignment_submitted'
)
SELECT
  window_start,
  window_start + 300000  AS window_end,
  course_id,
  count(*)               AS submissions,
  submissions::DOUBLE / 5 AS submissions_per_minute
FROM windowed
GROUP BY window_start, course_id
