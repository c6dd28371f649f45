-- T5 per course_id over course_enrolled and course_unenrolled.
SELECT
  tumbling_start(event_time_ms, 300000)                     AS window_start,
  window_start + 300000                                     AS window_end,
  course_id,
  count(*) FILTER (WHERE event_type = 'course_enrolled')    AS enrollments,
  count(*) FILTER (WHERE event_type = 'course_unenrolled')  AS unenrollments,
  enrollments - unenrollments                               AS net_enrollments
FROM events
WHERE event_type IN ('course_enrolled', 'course_unenrolled')
GROUP BY window_start, course_id
